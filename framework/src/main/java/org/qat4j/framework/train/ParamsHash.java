package org.qat4j.framework.train;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** SHA-256 over every parameter of a model, as FLOAT big-endian bytes in the flattened parameter order. */
public final class ParamsHash {

    private ParamsHash() {
    }

    public static String of(Model model) {
        INDArray p = model.params().castTo(DataType.FLOAT);
        float[] values = p.toFloatVector();
        ByteBuffer b = ByteBuffer.allocate(values.length * 4);
        for (float v : values) {
            b.putFloat(v);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
