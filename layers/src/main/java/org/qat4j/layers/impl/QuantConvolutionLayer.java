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
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.layers.QuantConv2D;
import org.qat4j.layers.QuantizedLayer;

/** Implementation of {@link QuantConv2D} and its depthwise variant on the libnd4j convolution ops. */
public class QuantConvolutionLayer extends QuantizedLayerImpl<QuantConv2D> {

    public QuantConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The weights this layer computes with at inference: its latent weights through its weight quantizer. */
    public INDArray inferenceWeights() {
        return quantize(layerConf().getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX,
                getParam(QuantizedLayer.WEIGHT_KEY));
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    private INDArray checkedInput() {
        assertInputSet(false);
        QuantConv2D c = layerConf();
        if (input.rank() != 4 || input.size(1) != c.getNIn()) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' expects NCHW input [minibatch, "
                    + c.getNIn() + ", height, width], got " + Arrays.toString(input.shape()));
        }
        c.outputSize(input.size(2), input.size(3));
        return input.castTo(dataType);
    }

    private DynamicCustomOp.DynamicCustomOpsBuilder op(String name) {
        return DynamicCustomOp.builder(name).addIntegerArguments(layerConf().opArgs());
    }

    /**
     * conv(x_q, W_q) + b into an array of the given workspace type. Binary weights {-a_o, +a_o} per output channel
     * (and no bias) are convolved as their signs and scaled afterwards, {@code conv(x_q, sign W_q) * a_o}: with
     * {-1, +1} inputs the sum is then an exact integer whatever order the kernel adds in, so the packed XNOR/popcount
     * engine of an exported model reproduces these values bit for bit.
     */
    private INDArray convolve(INDArray xq, INDArray opWeights, LayerWorkspaceMgr mgr, ArrayType type) {
        QuantConv2D c = layerConf();
        long[] o = c.outputSize(xq.size(2), xq.size(3));
        INDArray out = mgr.createUninitialized(type, dataType, xq.size(0), c.getNOut(), o[0], o[1]);
        INDArray scale = c.isHasBias() || !c.opName().equals("conv2d") ? null : binaryScale(opWeights);
        INDArray weights = scale == null ? opWeights : opWeights.div(scale.reshape(scale.length(), 1, 1, 1));
        INDArray[] inputs = c.isHasBias()
                ? new INDArray[] {xq, weights, getParam(QuantizedLayer.BIAS_KEY).reshape(c.getNOut())}
                : new INDArray[] {xq, weights};
        Nd4j.exec(op(c.opName()).addInputs(inputs).addOutputs(out).build());
        return scale == null ? out : out.muli(scale.reshape(1, scale.length(), 1, 1));
    }

    /** a_o per output channel when every weight of channel o is -a_o or +a_o (a_o > 0); otherwise null. */
    private static INDArray binaryScale(INDArray w) {
        INDArray rows = Transforms.abs(w.reshape(w.size(0), w.length() / w.size(0)), true);
        INDArray max = rows.max(1);
        return max.equals(rows.min(1)) && max.minNumber().doubleValue() > 0 ? max : null;
    }

    /** Pre-activation: the convolution, then the output scaling if any. */
    private INDArray preOutput(INDArray conv, LayerWorkspaceMgr mgr, ArrayType type) {
        QuantConv2D c = layerConf();
        if (c.getOutputScaling() == null) {
            return conv;
        }
        INDArray z = mgr.createUninitialized(type, dataType, conv.shape());
        z.assign(c.getOutputScaling().forward(conv, forwardParams(QuantConv2D.OUTPUT_SCALING_PREFIX)));
        return z;
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        QuantConv2D c = layerConf();
        INDArray x = checkedInput();
        INDArray xq = quantizeAndKeep(c.getInputQuantizer(), QuantizedLayer.INPUT_QUANT_PREFIX, x, training, mgr);
        INDArray wq = quantizeAndKeep(c.getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX,
                getParam(QuantizedLayer.WEIGHT_KEY), training, mgr);
        boolean scaled = c.getOutputScaling() != null;
        INDArray conv = convolve(xq, c.toOpWeights(wq), mgr, scaled ? ArrayType.FF_WORKING_MEM : ArrayType.ACTIVATIONS);
        INDArray z = preOutput(conv, mgr, ArrayType.ACTIVATIONS);
        return c.getActivationFn().getActivation(z, training);
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        QuantConv2D c = layerConf();
        INDArray x = checkedInput();
        INDArray w = getParam(QuantizedLayer.WEIGHT_KEY);
        INDArray xq = quantizedForBackward(c.getInputQuantizer(), QuantizedLayer.INPUT_QUANT_PREFIX, x);
        INDArray opWeights = c.toOpWeights(quantizedForBackward(c.getWeightQuantizer(),
                QuantizedLayer.WEIGHT_QUANT_PREFIX, w));
        Gradient gradient = newGradient();

        boolean scaled = c.getOutputScaling() != null;
        INDArray conv = null;
        INDArray dz = epsilon;
        if (scaled || !(c.getActivationFn() instanceof ActivationIdentity)) {
            conv = convolve(xq, opWeights, mgr, ArrayType.BP_WORKING_MEM);
            if (!(c.getActivationFn() instanceof ActivationIdentity)) {
                dz = c.getActivationFn().backprop(preOutput(conv, mgr, ArrayType.BP_WORKING_MEM), epsilon).getFirst();
            }
        }
        if (scaled) {
            QuantGradient sg = c.getOutputScaling().backward(conv, prefixed(QuantConv2D.OUTPUT_SCALING_PREFIX), dz);
            for (var e : sg.params().entrySet()) {
                putGradient(gradient, QuantizedLayer.paramKey(QuantConv2D.OUTPUT_SCALING_PREFIX, e.getKey()),
                        e.getValue());
            }
            dz = sg.input();
        }

        INDArray dxq = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, xq.shape());
        INDArray dWop = opWeights.ulike();
        INDArray db = c.isHasBias() ? Nd4j.create(dataType, c.getNOut()) : null;
        INDArray[] inputs = db != null
                ? new INDArray[] {xq, opWeights, getParam(QuantizedLayer.BIAS_KEY).reshape(c.getNOut()), dz}
                : new INDArray[] {xq, opWeights, dz};
        INDArray[] outputs = db != null ? new INDArray[] {dxq, dWop, db} : new INDArray[] {dxq, dWop};
        Nd4j.exec(op(c.opName() + "_bp").addInputs(inputs).addOutputs(outputs).build());

        putGradient(gradient, QuantizedLayer.WEIGHT_KEY, quantizeBackward(c.getWeightQuantizer(),
                QuantizedLayer.WEIGHT_QUANT_PREFIX, w, c.fromOpWeights(dWop), gradient));
        if (db != null) {
            putGradient(gradient, QuantizedLayer.BIAS_KEY, db);
        }
        INDArray dx = quantizeBackward(c.getInputQuantizer(), QuantizedLayer.INPUT_QUANT_PREFIX, x, dxq, gradient);
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, dx.shape());
        eps.assign(dx);
        releaseKept();
        return new Pair<>(gradient, eps);
    }
}
