package org.qat4j.framework.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** The recipes on the classpath, found with {@link ServiceLoader}; each lookup makes a fresh instance. */
public final class Recipes {

    private Recipes() {
    }

    public static List<Recipe> all() {
        List<Recipe> out = new ArrayList<>();
        ServiceLoader.load(Recipe.class).forEach(out::add);
        out.sort(java.util.Comparator.comparing(Recipe::name));
        return out;
    }

    public static Recipe create(String name) {
        for (Recipe r : all()) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        List<String> names = all().stream().map(Recipe::name).toList();
        throw new IllegalArgumentException("unknown recipe '" + name + "'; known: "
                + (names.isEmpty() ? "none on the classpath" : String.join(", ", names)));
    }
}
