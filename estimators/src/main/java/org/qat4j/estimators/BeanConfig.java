package org.qat4j.estimators;

import java.io.Serializable;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/**
 * Value semantics for configuration beans (quantizers, scaling rules, schedules): equal when of the same class with
 * the same JSON form. DL4J compares updater and layer configurations by {@code equals} (updater blocks are merged
 * only across equal configurations), so a configuration read back from JSON must equal the one written.
 */
public abstract class BeanConfig implements Serializable {

    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS,
            true);

    private String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("configuration not serializable: " + getClass().getName(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((BeanConfig) o).json().equals(json());
    }

    @Override
    public int hashCode() {
        return json().hashCode();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + json();
    }
}
