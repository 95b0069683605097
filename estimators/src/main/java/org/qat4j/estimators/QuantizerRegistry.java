package org.qat4j.estimators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.qat4j.estimators.fp.FlexibleBiasFpQuantizer;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.FpQuantizer;
import org.qat4j.estimators.fp.LearnedRoundingQuantizer;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.multibit.DualBinarizer;
import org.qat4j.estimators.multibit.LmbBinarizer;
import org.qat4j.estimators.multibit.PartialBinarizer;
import org.qat4j.estimators.multibit.RowCentredBinarizer;
import org.qat4j.estimators.multibit.TriLmTernarizer;
import org.qat4j.estimators.multibit.TwnTernarizer;
import org.qat4j.estimators.scaling.LearnedScaling;
import org.qat4j.estimators.scaling.NoScaling;
import org.qat4j.estimators.scaling.XnorExactScaling;
import org.qat4j.estimators.scaling.XnorPlusPlusScaling;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.BiPerEstimator;
import org.qat4j.estimators.sign.FdaEstimator;
import org.qat4j.estimators.sign.IdentityEstimator;
import org.qat4j.estimators.sign.ReSteEstimator;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.estimators.sign.SwishSignEstimator;

/**
 * Every quantizer, estimator and scaling rule by name, with its parameters and defaults: what {@code qat4j list}
 * prints and what recipes and the command line create from {@code key=value} settings.
 */
public final class QuantizerRegistry {

    /** What kind of thing an entry makes. */
    public enum Category {
        SIGN_ESTIMATOR("sign estimators (forward sign(x); they differ in backward)"),
        WEIGHT_SCALING("weight scaling rules for binary weights"),
        QUANTIZER("multi-bit, integer and floating-point quantizers");

        private final String title;

        Category(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    /** One parameter of an entry. */
    public record Param(String name, String defaultValue, String description) {
    }

    /** One named entry. */
    public record Entry(String name, Category category, String summary, List<Param> params,
            Function<Settings, Object> factory) {
    }

    private static final String AXIS = "output-channel axis of the weights, -1 for one value per tensor";

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        sign("ste", "straight-through: g 1{|x| <= clip}", s -> new SteEstimator(s.getDouble("clip", 1.0)),
                new Param("clip", "1.0", "clip value c >= 0; inf gives the identity backward"));
        sign("approx", "ApproxSign (Bi-Real): g max(0, 2 - 2|x|)", s -> new ApproxSignEstimator());
        sign("swish", "SwishSign (larq): derivative of the sign-swish", s -> new SwishSignEstimator(
                s.getDouble("beta", 5.0)), new Param("beta", "5.0", "sharpness b > 0"));
        sign("reste", "ReSTE: power-function surrogate sign(x)|x|^(1/o)", s -> new ReSteEstimator(
                s.getDouble("o", 1.0), s.getDouble("t", 1.5), s.getDouble("d", 0.1)),
                new Param("o", "1.0", "exponent o > 0 (the paper ramps it 1 -> 3 over training)"),
                new Param("t", "1.5", "threshold t > 0 beyond which the gradient is 0"),
                new Param("d", "0.1", "interval 0 < d <= t of the secant slope near 0"));
        sign("biper", "BiPer: sin(w0 x) (stage 1) or its square wave (stage 2), backward w0 cos(w0 x)",
                s -> new BiPerEstimator(s.getDouble("w0", 20.0), s.getInt("stage", 2)),
                new Param("w0", "20.0", "frequency w0 > 0"),
                new Param("stage", "2", "1 = sin weights, 2 = square wave"));
        sign("fda", "FDA: Fourier series of the square wave", s -> new FdaEstimator(
                s.getDouble("w", 0.1), s.getInt("n", 9)),
                new Param("w", "0.1", "base frequency w > 0"),
                new Param("n", "9", "highest term index n >= 0 (the paper grows it 9 -> 18)"));
        sign("identity", "q = x, gradient g: full precision, for gradient checks", s -> new IdentityEstimator());

        scaling("none", "W_q = sign(W)", s -> new NoScaling());
        scaling("xnor", "alpha_o = mean|W_o| per output channel, detached", s -> new XnorScaling());
        scaling("xnor-exact", "alpha_o = mean|W_o| with its gradient", s -> new XnorExactScaling());
        scaling("learned", "learnable s_o (XNOR++ / BiViT), optional centring", s -> new LearnedScaling(
                s.getBoolean("centering", false)),
                new Param("centering", "false", "binarize W - rowmean(W)"));
        scaling("xnorpp", "conv output times learnable alpha_c beta_h gamma_w", s -> new XnorPlusPlusScaling());

        quantizer("lmb", "LMB (BinaryDM): sum of k learnable-scaled binary bases", s -> new LmbBinarizer(
                s.getInt("order", 2), s.getInt("axis", 0)),
                new Param("order", "2", "number of binary bases k, 1..8"), new Param("axis", "0", AXIS));
        quantizer("fdb", "FDB (DB-LLM): 2-bit grid as two {0,1} bases with learnable a1, a2",
                s -> new DualBinarizer(s.getInt("axis", 0)), new Param("axis", "0", AXIS));
        quantizer("pb", "partial binarization (PB-LLM): salient tails at 8 bits, rest binary",
                s -> new PartialBinarizer(s.getDouble("fraction", 0.1), s.getInt("axis", 0)),
                new Param("fraction", "0.1", "salient fraction r in [0, 1]"), new Param("axis", "0", AXIS));
        quantizer("bibert", "BiBERT row-centred binarizer: rowmean|W| sign(W - rowmean(W)), detached",
                s -> new RowCentredBinarizer(s.getDouble("clip", 1.0), s.getInt("axis", 0)),
                new Param("clip", "1.0", "STE clip c >= 0 on the centred weights; inf gives the identity backward"),
                new Param("axis", "0", AXIS));
        quantizer("twn", "ternary weight networks: Delta = 0.7 mean|W|", s -> new TwnTernarizer(
                s.getInt("axis", Nd.PER_TENSOR)), new Param("axis", "-1", AXIS));
        quantizer("trilm", "Spectra TriLM ternary: gamma clamp(round(W/gamma), -1, 1)", s -> new TriLmTernarizer());
        quantizer("lsq", "LSQ k-bit integer with learned step", s -> new LsqQuantizer(s.getInt("bits", 8),
                s.getBoolean("signed", true), s.getBoolean("perSample", false)),
                new Param("bits", "8", "bit width b, 1..8"),
                new Param("signed", "true", "signed grid [-2^(b-1), 2^(b-1)-1] or unsigned [0, 2^b-1]"),
                new Param("perSample", "false", "gradient scale over features per sample (activations)"));
        for (FpFormat f : FpFormat.values()) {
            String name = f.name().toLowerCase(java.util.Locale.ROOT);
            quantizer(name, "FP" + f.bits() + " " + f.name() + " (OCP), max " + f.max(), s -> new FpQuantizer(f,
                    s.getEnum("scale", FpQuantizer.ScaleMode.class, FpQuantizer.ScaleMode.MAX),
                    s.getInt("axis", Nd.PER_TENSOR)),
                    new Param("scale", "max", "none, max (max|x| maps to the format's max) or learned"),
                    new Param("axis", "-1", AXIS));
        }
        quantizer("fp-flex", "low-bit float with a learnable real exponent bias (LLM-FP4)",
                s -> new FlexibleBiasFpQuantizer(s.getInt("e", 4), s.getInt("m", 3)),
                new Param("e", "4", "exponent bits, 1..5"), new Param("m", "3", "mantissa bits, 0..7"));
        quantizer("fp-adaround", "learned rounding onto an FP grid (AdaRound form), post-training",
                s -> {
                    FpFormat format = s.getEnum("format", FpFormat.class, FpFormat.E4M3);
                    int iterations = s.getInt("iterations", 0);
                    LearnedRoundingQuantizer q = iterations != 0
                            ? new LearnedRoundingQuantizer(format, s.getInt("axis", 0), 0.01, iterations)
                            : new LearnedRoundingQuantizer(format, s.getInt("axis", 0));
                    q.setLambda(s.getDouble("lambda", 0.01));
                    q.setBeta(s.getDouble("beta", 20.0));
                    return q;
                },
                new Param("format", "e4m3", "e4m3, e5m2 or e2m1"), new Param("axis", "0", AXIS),
                new Param("lambda", "0.01", "weight of the rounding regulariser"),
                new Param("beta", "20.0", "regulariser exponent >= 1 when not annealed"),
                new Param("iterations", "0", "n > 0: beta annealed 20 -> 2 over n iterations, rounding hard from"
                        + " iteration n on; 0: fixed beta, soft rounding"));
    }

    private QuantizerRegistry() {
    }

    private static void sign(String name, String summary, Function<Settings, Object> f, Param... params) {
        add(new Entry(name, Category.SIGN_ESTIMATOR, summary, List.of(params), f));
    }

    private static void scaling(String name, String summary, Function<Settings, Object> f, Param... params) {
        add(new Entry(name, Category.WEIGHT_SCALING, summary, List.of(params), f));
    }

    private static void quantizer(String name, String summary, Function<Settings, Object> f, Param... params) {
        add(new Entry(name, Category.QUANTIZER, summary, List.of(params), f));
    }

    private static void add(Entry e) {
        ENTRIES.put(e.name(), e);
    }

    public static List<Entry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(ENTRIES.values()));
    }

    public static Entry entry(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown estimator '" + name + "'; known: "
                    + String.join(", ", ENTRIES.keySet()));
        }
        return e;
    }

    /** Creates the named object (a {@link Quantizer} or a {@link org.qat4j.estimators.scaling.WeightScaling}). */
    public static Object create(String name, Map<String, String> settings) {
        Entry e = entry(name);
        for (String key : settings.keySet()) {
            if (e.params().stream().noneMatch(p -> p.name().equals(key))) {
                String known = e.params().isEmpty() ? "it has no parameters"
                        : "known: " + String.join(", ", e.params().stream().map(Param::name).toList());
                throw new IllegalArgumentException("unknown parameter '" + key + "' for '" + name + "'; " + known);
            }
        }
        try {
            return e.factory().apply(new Settings(name, settings));
        } catch (IllegalArgumentException ex) {
            String msg = ex.getMessage();
            throw msg.startsWith(name + ":") ? ex : new IllegalArgumentException(name + ": " + msg, ex);
        }
    }

    /** Creates a named quantizer or sign estimator; scaling rules other than xnorpp are not quantizers. */
    public static Quantizer quantizer(String name, Map<String, String> settings) {
        Object o = create(name, settings);
        if (!(o instanceof Quantizer q)) {
            throw new IllegalArgumentException("'" + name + "' is a weight scaling rule, not a quantizer; "
                    + "use it through BinaryWeightQuantizer");
        }
        return q;
    }
}
