package org.qat4j.estimators;

/** Argument checks whose messages name the parameter and its valid range. */
public final class Check {

    private Check() {
    }

    public static double positive(String name, double v) {
        if (!(v > 0) || Double.isNaN(v)) {
            throw new IllegalArgumentException(name + " must be > 0 (got " + v + ")");
        }
        return v;
    }

    public static double nonNegative(String name, double v) {
        if (!(v >= 0)) {
            throw new IllegalArgumentException(name + " must be >= 0 (got " + v + ")");
        }
        return v;
    }

    public static double finitePositive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be a finite number > 0 (got " + v + ")");
        }
        return v;
    }

    public static double inRange(String name, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "] (got " + v + ")");
        }
        return v;
    }

    public static int inRange(String name, int v, int lo, int hi) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(name + " must be in " + lo + ".." + hi + " (got " + v + ")");
        }
        return v;
    }

    public static double openUnit(String name, double v) {
        if (!(v > 0 && v < 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1) (got " + v + ")");
        }
        return v;
    }

    public static <T> T notNull(String name, T v) {
        if (v == null) {
            throw new IllegalArgumentException(name + " must be set");
        }
        return v;
    }
}
