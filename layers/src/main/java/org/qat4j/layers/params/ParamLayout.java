package org.qat4j.layers.params;

import java.util.List;

/** A layer configuration that lists its parameters; {@link LayoutParamInitializer} lays them out. */
public interface ParamLayout {

    List<ParamEntry> paramLayout();
}
