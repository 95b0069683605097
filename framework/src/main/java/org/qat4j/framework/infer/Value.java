package org.qat4j.framework.infer;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An operation's result in up to three forms, each derived from another on first use: an ND4J array (for the
 * ND4J operations), the same floats in a Java array (NCHW, for the fused epilogues: element access to ND4J's
 * native memory through a buffer costs several times the arithmetic), and packed bits (for binary
 * convolutions; only for {-1, +1} values).
 */
final class Value {
    INDArray nd;
    float[] heap;
    int[] shape;
    PackedBits bits;

    static Value of(INDArray nd) {
        Value v = new Value();
        v.nd = nd;
        return v;
    }

    INDArray nd() {
        if (nd == null) {
            float[] data = heap != null ? heap : bits.unpack();
            int[] s = heap != null ? shape : new int[] {bits.n(), bits.c(), bits.h(), bits.w()};
            nd = Nd4j.createUninitialized(DataType.FLOAT, Arrays.stream(s).asLongStream().toArray());
            nd.data().asNioFloat().put(data);
        }
        return nd;
    }

    float[] heap() {
        if (heap == null) {
            INDArray x = nd();
            heap = new float[Math.toIntExact(x.length())];
            Value.contiguous(x).data().asNioFloat().get(heap);
            shape = Arrays.stream(x.shape()).mapToInt(Math::toIntExact).toArray();
        }
        return heap;
    }

    int[] shape() {
        heap();
        return shape;
    }

    PackedBits bits() {
        if (bits == null) {
            int[] s = shape();
            bits = PackedBits.pack(heap, null, s[0], s[1], s[2], s[3]);
        }
        return bits;
    }

    static INDArray contiguous(INDArray x) {
        return x.isView() || x.ordering() != 'c' ? x.dup('c') : x;
    }
}
