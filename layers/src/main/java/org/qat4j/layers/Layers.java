package org.qat4j.layers;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.qat4j.layers.params.ParamEntry;
import org.qat4j.layers.params.ParamLayout;

/** Rules shared by every qat4j layer configuration. */
final class Layers {

    private Layers() {
    }

    static ParamEntry entry(ParamLayout layer, String paramName) {
        for (ParamEntry e : layer.paramLayout()) {
            if (e.key().equals(paramName)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown parameter '" + paramName + "'");
    }

    /** State never moves; biases take the bias updater when one is set; everything else the layer's updater. */
    static IUpdater updaterFor(ParamLayout layer, String paramName, IUpdater updater, IUpdater biasUpdater) {
        ParamEntry e = entry(layer, paramName);
        if (e.role() == ParamEntry.Role.STATE) {
            return new NoOp();
        }
        if (e.role() == ParamEntry.Role.BIAS && biasUpdater != null) {
            return biasUpdater;
        }
        return updater;
    }
}
