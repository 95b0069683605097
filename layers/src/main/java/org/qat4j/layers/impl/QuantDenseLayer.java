package org.qat4j.layers.impl;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.layers.QuantDense;
import org.qat4j.layers.QuantizedLayer;
import org.qat4j.layers.sequence.Sequences;

/** Implementation of {@link QuantDense}. */
public class QuantDenseLayer extends QuantizedLayerImpl<QuantDense> {

    public QuantDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The weights this layer computes with at inference: its latent weights through its weight quantizer. */
    public INDArray inferenceWeights() {
        return quantize(layerConf().getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX,
                getParam(QuantizedLayer.WEIGHT_KEY));
    }

    @Override
    public Type type() {
        return input != null && input.rank() == 3 ? Type.RECURRENT : Type.FEED_FORWARD;
    }

    /** The input, [N, nIn] or the sequence [N, nIn, L]. */
    private INDArray checkedInput() {
        assertInputSet(false);
        long nIn = layerConf().getNIn();
        if ((input.rank() != 2 && input.rank() != 3) || input.size(1) != nIn) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' expects input [minibatch, " + nIn
                    + "] or a sequence [minibatch, " + nIn + ", length], got " + Arrays.toString(input.shape()));
        }
        return input.castTo(dataType);
    }

    /** The rows the product is taken over: x itself, or the positions of a sequence. */
    private static INDArray rows(INDArray x) {
        return x.rank() == 3 ? Sequences.positionRows(x) : x;
    }

    /** z = x_q W_q^T + b, written into z [rows, nOut]. */
    private INDArray preOutput(INDArray xq, INDArray wq, INDArray z) {
        xq.mmuli(wq.transpose(), z);
        if (layerConf().isHasBias()) {
            z.addiRowVector(getParam(QuantizedLayer.BIAS_KEY));
        }
        return z;
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        QuantDense c = layerConf();
        INDArray xq = quantizeAndKeep(c.getInputQuantizer(), QuantizedLayer.INPUT_QUANT_PREFIX, x, training, mgr);
        INDArray wq = quantizeAndKeep(c.getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX,
                getParam(QuantizedLayer.WEIGHT_KEY), training, mgr);
        if (x.rank() == 2) {
            INDArray z = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.size(0), c.getNOut());
            return c.getActivationFn().getActivation(preOutput(xq, wq, z), training);
        }
        INDArray xRows = Sequences.positionRows(xq);
        INDArray z = Nd4j.createUninitialized(dataType, xRows.size(0), c.getNOut());
        INDArray a = c.getActivationFn().getActivation(preOutput(xRows, wq, z), training);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.size(0), c.getNOut(), x.size(2));
        return out.assign(Sequences.fromPositionRows(a, x.size(0), x.size(2)));
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        QuantDense c = layerConf();
        INDArray w = getParam(QuantizedLayer.WEIGHT_KEY);
        INDArray xq = quantizedForBackward(c.getInputQuantizer(), QuantizedLayer.INPUT_QUANT_PREFIX, x);
        INDArray wq = quantizedForBackward(c.getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX, w);
        INDArray xRows = rows(xq);
        INDArray dz = rows(epsilon);
        if (!(c.getActivationFn() instanceof ActivationIdentity)) {
            INDArray z = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, xRows.size(0), c.getNOut());
            dz = c.getActivationFn().backprop(preOutput(xRows, wq, z), dz).getFirst();
        }
        Gradient gradient = newGradient();
        INDArray dWq = dz.transpose().mmul(xRows);
        putGradient(gradient, QuantizedLayer.WEIGHT_KEY,
                quantizeBackward(c.getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX, w, dWq, gradient));
        if (c.isHasBias()) {
            putGradient(gradient, QuantizedLayer.BIAS_KEY, dz.sum(0));
        }
        INDArray dxq = dz.mmul(wq);
        if (x.rank() == 3) {
            dxq = Sequences.fromPositionRows(dxq, x.size(0), x.size(2));
        }
        INDArray dx = quantizeBackward(c.getInputQuantizer(), QuantizedLayer.INPUT_QUANT_PREFIX, x, dxq, gradient);
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, dx.shape());
        eps.assign(dx);
        releaseKept();
        return new Pair<>(gradient, eps);
    }
}
