package org.qat4j.estimators;

import java.util.Locale;
import java.util.Map;

/**
 * Textual {@code key=value} settings of a named quantizer (from the command line or a recipe), read with types.
 * Every failure is an {@link IllegalArgumentException} naming the owner, the key and what was expected.
 */
public final class Settings {

    private final String owner;
    private final Map<String, String> values;

    public Settings(String owner, Map<String, String> values) {
        this.owner = owner;
        this.values = Map.copyOf(values);
    }

    public String getString(String key, String def) {
        return values.getOrDefault(key, def);
    }

    public double getDouble(String key, double def) {
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "inf", "+inf", "infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                try {
                    double d = Double.parseDouble(v.trim());
                    if (Double.isNaN(d)) {
                        throw new NumberFormatException();
                    }
                    return d;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(owner + ": " + key + " must be a number (got '" + v + "')");
                }
        }
    }

    public int getInt(String key, int def) {
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(owner + ": " + key + " must be an integer (got '" + v + "')");
        }
    }

    public boolean getBoolean(String key, boolean def) {
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1":
                return true;
            case "false", "no", "0":
                return false;
            default:
                throw new IllegalArgumentException(owner + ": " + key + " must be true or false (got '" + v + "')");
        }
    }

    public <E extends Enum<E>> E getEnum(String key, Class<E> type, E def) {
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v.trim().replace('-', '_'))) {
                return e;
            }
        }
        throw new IllegalArgumentException(owner + ": " + key + " must be one of "
                + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) + " (got '" + v + "')");
    }

    public java.util.Set<String> keys() {
        return values.keySet();
    }
}
