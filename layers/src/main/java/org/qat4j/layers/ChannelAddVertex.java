package org.qat4j.layers;

import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.impl.ChannelAddVertexImpl;

/**
 * Adds a per-example vector to every position of a feature map, as a diffusion U-Net adds the projection of its
 * time embedding to a residual block's features. Inputs (x, v): x an NCHW feature map [N, C, H, W], v a
 * feed-forward vector [N, C]; output of x's shape and type.
 * <pre>
 *   y[n, c, i, j] = x[n, c, i, j] + v[n, c]
 *   dL/dx = g,   dL/dv[n, c] = sum_{i,j} g[n, c, i, j]
 * </pre>
 * DL4J's ElementWiseVertex cannot do this: its broadcasting aligns trailing axes, so [N, C] would meet [H, W].
 * No parameters; use it as {@code graph.addVertex(name, new ChannelAddVertex(), featureMap, vector)}. The output
 * carries x's mask, if any.
 */
public class ChannelAddVertex extends GraphVertex {

    public ChannelAddVertex() {
    }

    @Override
    public ChannelAddVertex clone() {
        return new ChannelAddVertex();
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return ChannelAddVertex.class.getName().hashCode();
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new ChannelAddVertexImpl(graph, name, idx, networkDatatype);
    }

    private static DL4JInvalidConfigException invalid(String what) {
        return new DL4JInvalidConfigException("ChannelAddVertex: " + what);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        if (vertexInputs.length != 2) {
            throw invalid("takes two inputs (feature map [N, C, H, W], vector [N, C]), got " + vertexInputs.length);
        }
        if (!(vertexInputs[0] instanceof InputType.InputTypeConvolutional x) || x.getFormat() != CNN2DFormat.NCHW) {
            throw invalid("the first input must be an NCHW feature map [N, C, H, W], got " + vertexInputs[0]);
        }
        if (!(vertexInputs[1] instanceof InputType.InputTypeFeedForward v)) {
            throw invalid("the second input must be a feed-forward vector [N, C], got " + vertexInputs[1]);
        }
        if (v.getSize() != x.getChannels()) {
            throw invalid("the vector's size " + v.getSize() + " does not match the feature map's " + x.getChannels()
                    + " channels");
        }
        return x;
    }

    /** No working memory beyond the output (and, in training, the gradients of the two inputs). */
    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, ChannelAddVertex.class, inputTypes[0], out).standardMemory(0, 0)
                .workingMemory(0, 0, 0, 0).cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS,
                        MemoryReport.CACHE_MODE_ALL_ZEROS).build();
    }

    @Override
    public String toString() {
        return "ChannelAddVertex()";
    }
}
