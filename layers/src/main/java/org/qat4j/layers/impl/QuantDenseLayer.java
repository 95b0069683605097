package org.qat4j.layers.impl;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.QuantDense;
import org.qat4j.layers.QuantizedLayer;

/** Implementation of {@link QuantDense}. */
public class QuantDenseLayer extends QuantizedLayerImpl<QuantDense> {

    public QuantDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The weights this layer computes with at inference: its latent weights through its weight quantizer. */
    public INDArray inferenceWeights() {
        return quantize(layerConf().getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX,
                getParam(QuantizedLayer.WEIGHT_KEY), false);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    private INDArray checkedInput() {
        assertInputSet(false);
        if (input.rank() != 2 || input.size(1) != layerConf().getNIn()) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' expects input [minibatch, "
                    + layerConf().getNIn() + "], got " + java.util.Arrays.toString(input.shape()));
        }
        return input.castTo(dataType);
    }

    /** z = Q_a(x) Q_w(W)^T + b, in the given workspace type. */
    private INDArray preOutput(INDArray xq, INDArray wq, boolean training, LayerWorkspaceMgr mgr, ArrayType type) {
        INDArray z = mgr.createUninitialized(type, dataType, xq.size(0), layerConf().getNOut());
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
        INDArray z = preOutput(xq, wq, training, mgr, ArrayType.ACTIVATIONS);
        return c.getActivationFn().getActivation(z, training);
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        QuantDense c = layerConf();
        INDArray w = getParam(QuantizedLayer.WEIGHT_KEY);
        INDArray xq = quantizedForBackward(c.getInputQuantizer(), QuantizedLayer.INPUT_QUANT_PREFIX, x);
        INDArray wq = quantizedForBackward(c.getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX, w);
        INDArray dz;
        if (c.getActivationFn() instanceof ActivationIdentity) {
            dz = epsilon;
        } else {
            INDArray z = preOutput(xq, wq, true, mgr, ArrayType.BP_WORKING_MEM);
            dz = c.getActivationFn().backprop(z, epsilon).getFirst();
        }
        Gradient gradient = newGradient();
        INDArray dWq = dz.transpose().mmul(xq);
        putGradient(gradient, QuantizedLayer.WEIGHT_KEY,
                quantizeBackward(c.getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX, w, dWq, gradient));
        if (c.isHasBias()) {
            putGradient(gradient, QuantizedLayer.BIAS_KEY, dz.sum(0));
        }
        INDArray dxq = dz.mmul(wq);
        INDArray dx = quantizeBackward(c.getInputQuantizer(), QuantizedLayer.INPUT_QUANT_PREFIX, x, dxq, gradient);
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, dx.shape());
        eps.assign(dx);
        releaseKept();
        return new Pair<>(gradient, eps);
    }
}
