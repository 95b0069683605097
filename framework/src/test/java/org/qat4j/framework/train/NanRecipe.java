package org.qat4j.framework.train;

import java.io.IOException;
import java.nio.file.Path;
import org.qat4j.framework.data.LabeledImages;

/** The tiny recipe with one poisoned training image (a NaN pixel): its loss becomes NaN in the first epoch. */
public class NanRecipe extends TinyRecipe {

    @Override
    public String name() {
        return "tiny-nan";
    }

    @Override
    public Data loadData(Path dataDir) throws IOException {
        Data d = super.loadData(dataDir);
        ((LabeledImages) d.train()).pixels().putScalar(100, 300, Double.NaN);
        return d;
    }
}
