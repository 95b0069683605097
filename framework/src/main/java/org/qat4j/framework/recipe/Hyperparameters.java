package org.qat4j.framework.recipe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The typed, documented hyperparameters of a recipe. Each has a default and can be set from text
 * ({@code --set key=value}); a value of the wrong type or out of range is an {@link IllegalArgumentException} that
 * names the recipe, the key and what it accepts.
 */
public final class Hyperparameters {

    /** One hyperparameter. */
    public static final class Param<T> {
        private final String owner;
        private final String name;
        private final String type;
        private final String description;
        private final Function<String, T> parser;
        private T value;

        Param(String owner, String name, String type, T def, String description, Function<String, T> parser) {
            this.owner = owner;
            this.name = name;
            this.type = type;
            this.description = description;
            this.parser = parser;
            this.value = def;
        }

        public T get() {
            return value;
        }

        public String name() {
            return name;
        }

        public String type() {
            return type;
        }

        public String description() {
            return description;
        }

        /** Changes the default (for subclasses of a recipe, before any value is set from outside). */
        public Param<T> set(T v) {
            this.value = parser.apply(String.valueOf(v));
            return this;
        }

        void parse(String text) {
            if (text == null) {
                throw new IllegalArgumentException("recipe " + owner + ": " + name + " must be " + type
                        + " (got nothing)");
            }
            this.value = parser.apply(text.trim());
        }

        String text() {
            return String.valueOf(value);
        }

        IllegalArgumentException bad(String got) {
            return new IllegalArgumentException("recipe " + owner + ": " + name + " must be " + type + " (got '"
                    + got + "')");
        }
    }

    private final String owner;
    private final Map<String, Param<?>> params = new LinkedHashMap<>();

    public Hyperparameters(String owner) {
        this.owner = owner;
    }

    private <T> Param<T> add(Param<T> p) {
        if (params.put(p.name(), p) != null) {
            throw new IllegalStateException("hyperparameter declared twice: " + p.name());
        }
        return p;
    }

    public Param<Integer> integer(String name, int def, int min, int max, String description) {
        String type = "an integer in " + min + ".." + max;
        Param<Integer>[] self = holder();
        self[0] = add(new Param<>(owner, name, type, def, description, s -> {
            try {
                int v = Integer.parseInt(s);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted range
            }
            throw self[0].bad(s);
        }));
        return self[0];
    }

    public Param<Double> real(String name, double def, double min, double max, String description) {
        String type = "a number in [" + min + ", " + max + "]";
        Param<Double>[] self = holder();
        self[0] = add(new Param<>(owner, name, type, def, description, s -> {
            try {
                double v = Double.parseDouble(s);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted range
            }
            throw self[0].bad(s);
        }));
        return self[0];
    }

    public Param<Long> seed(String name, long def, String description) {
        Param<Long>[] self = holder();
        self[0] = add(new Param<>(owner, name, "an integer", def, description, s -> {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw self[0].bad(s);
            }
        }));
        return self[0];
    }

    public Param<Boolean> flag(String name, boolean def, String description) {
        Param<Boolean>[] self = holder();
        self[0] = add(new Param<>(owner, name, "true or false", def, description, s -> {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "true":
                    return true;
                case "false":
                    return false;
                default:
                    throw self[0].bad(s);
            }
        }));
        return self[0];
    }

    /** Free text, not blank (a path, a name). */
    public Param<String> text(String name, String def, String description) {
        Param<String>[] self = holder();
        self[0] = add(new Param<>(owner, name, "a non-empty text", def, description, s -> {
            if (s.isBlank()) {
                throw self[0].bad(s);
            }
            return s;
        }));
        return self[0];
    }

    @SuppressWarnings("unchecked")
    private static <T> Param<T>[] holder() {
        return (Param<T>[]) new Param<?>[1];
    }

    /** Sets one value from text. */
    public void set(String key, String value) {
        Param<?> p = params.get(key);
        if (p == null) {
            throw new IllegalArgumentException("recipe " + owner + " has no hyperparameter '" + key + "'; known: "
                    + String.join(", ", params.keySet()));
        }
        p.parse(value);
    }

    public void setAll(Map<String, String> values) {
        values.forEach(this::set);
    }

    /** Every value as text, in declaration order (what a checkpoint records). */
    public Map<String, String> values() {
        Map<String, String> out = new LinkedHashMap<>();
        params.forEach((k, p) -> out.put(k, p.text()));
        return out;
    }

    public List<Param<?>> all() {
        return new ArrayList<>(params.values());
    }
}
