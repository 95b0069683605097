package org.qat4j.layers;

import java.util.Set;
import org.deeplearning4j.nn.conf.constraint.BaseConstraint;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Latent weight clipping (BNN, larq {@code WeightClip}): after every update, {@code W <- clip(W, -c, c)}.
 * Keeps latent weights near the region where the straight-through gradient is non-zero.
 */
public class LatentClip extends BaseConstraint {

    private double clip = 1.0;

    public LatentClip() {
        super(Set.of());
    }

    public LatentClip(double clip) {
        super(Set.of());
        setClip(clip);
    }

    public double getClip() {
        return clip;
    }

    public void setClip(double clip) {
        if (!(clip > 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("latent clip must be a finite number > 0 (got " + clip + ")");
        }
        this.clip = clip;
    }

    @Override
    public void apply(INDArray param) {
        Transforms.min(Transforms.max(param, -clip, false), clip, false);
    }

    @Override
    public LatentClip clone() {
        LatentClip c = new LatentClip(clip);
        c.setParams(getParams());
        return c;
    }
}
