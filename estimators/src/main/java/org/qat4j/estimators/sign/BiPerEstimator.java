package org.qat4j.estimators.sign;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;

/**
 * BiPer, the binary periodic function, for weights. Two stages:
 * <pre>
 *   stage 1   q = sin(w0 x)                  (real valued)
 *   stage 2   q = sign(sin(w0 x))            (square wave of period 2 pi / w0)
 *   backward  dL/dx = g * w0 cos(w0 x)       (both stages; F(x) = sin(w0 x))
 * </pre>
 * Stage 2 starts from the stage-1 weights; drive the switch with a {@code stageSchedule}, e.g. an ND4J
 * {@link org.nd4j.linalg.schedule.MapSchedule} over epochs {0: 1, k: 2}. The regulariser is {@link BiPerRegularizer}.
 */
public class BiPerEstimator extends SignEstimator {

    private double w0 = 20.0;
    private int stage = 2;
    private ISchedule stageSchedule;

    /** Stage 1 weights are real valued (sin), stage 2 binary. */
    @Override
    public double bitsPerValue() {
        return stage == 1 ? 32 : 1;
    }

    public BiPerEstimator() {
    }

    public BiPerEstimator(double w0, int stage) {
        setW0(w0);
        setStage(stage);
    }

    public double getW0() {
        return w0;
    }

    public void setW0(double w0) {
        this.w0 = Check.finitePositive("w0", w0);
    }

    public int getStage() {
        return stage;
    }

    public void setStage(int stage) {
        this.stage = Check.inRange("stage", stage, 1, 2);
    }

    public ISchedule getStageSchedule() {
        return stageSchedule;
    }

    public void setStageSchedule(ISchedule stageSchedule) {
        this.stageSchedule = stageSchedule;
    }

    @Override
    public void onProgress(int epoch, int iteration) {
        if (stageSchedule != null) {
            setStage((int) Math.round(stageSchedule.valueAt(iteration, epoch)));
        }
    }

    @Override
    public INDArray forward(INDArray x, Map<String, INDArray> params) {
        INDArray s = surrogate(x);
        return stage == 1 ? s : Nd.sign(s);
    }

    @Override
    public INDArray derivative(INDArray x) {
        return Transforms.cos(x.mul(w0), false).muli(w0);
    }

    @Override
    public INDArray surrogate(INDArray x) {
        return Transforms.sin(x.mul(w0), false);
    }
}
