package org.qat4j.recipes.diffusion;

import java.util.Map;
import org.qat4j.distillation.FeatureLoss;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.FpQuantizer;
import org.qat4j.estimators.fp.LearnedRoundingQuantizer;
import org.qat4j.framework.diffusion.DiffusionImages;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.Hyperparameters;
import org.qat4j.framework.recipe.PostTrainingQuantization;

/**
 * Base of the low-bit floating-point diffusion recipes: the U-Net's convolutions take weights in
 * {@link #weightFormat()} (scaled per output channel to the format's maximum) and inputs in
 * {@link #activationFormat()} (scaled per tensor), in two forms:
 * <ul>
 *   <li>quantization-aware training from the FP32 run ({@code qat4j train});</li>
 *   <li>post-training quantization of an FP32 checkpoint ({@code qat4j quantize}, {@code ptq=true}): every weight
 *   frozen, each rounded up or down onto the format's grid as learnt (AdaRound form, arXiv 2408.06995)
 *   <pre>
 *     w_q = scale step (floor(w / (scale step)) + h(V)),   h(V) = clip(1.2 sigmoid(V) - 0.1, 0, 1)
 *     L   = sum_pixels (eps_Q(x_t, t) - eps_FP(x_t, t))^2 + roundingWeight sum (1 - |2 h(V) - 1|^beta),  beta 20 -&gt; 2
 *   </pre>
 *   on calibration images, with h hardened to {@code 1{V >= 0}} at the end of the run.</li>
 * </ul>
 */
public abstract class FloatingPointDdpm extends QuantizedDdpm implements PostTrainingQuantization {

    public final Hyperparameters.Param<Boolean> ptq = hyperparameters().flag("ptq", false,
            "post-training quantization: learned rounding of the FP32 run's frozen weights (qat4j quantize sets it)");
    public final Hyperparameters.Param<Double> roundingWeight = hyperparameters().real("roundingWeight", 0.01, 0,
            1000, "weight of the rounding regularizer of post-training quantization");

    /**
     * QAT fine-tunes the FP32 run at a tenth of its rate: at 5e-4 Adam's first steps move every weight by about the
     * rate and took the FP8 U-Net from the teacher's test loss (0.054) to 0.20 in two steps; at 5e-5 it stays at the
     * teacher's. Binary recipes keep 5e-4, which they need to recover (0.16 vs 0.38 after 20 steps).
     */
    protected FloatingPointDdpm() {
        learningRate.set(5e-5);
    }

    /** The format of the convolutions' weights. */
    protected abstract FpFormat weightFormat();

    /** The format of the convolutions' inputs. */
    protected abstract FpFormat activationFormat();

    @Override
    protected Quantizer weights(int group) {
        return new FpQuantizer(weightFormat(), FpQuantizer.ScaleMode.MAX, 0);
    }

    @Override
    protected Quantizer activations() {
        return new FpQuantizer(activationFormat(), FpQuantizer.ScaleMode.MAX, Nd.PER_TENSOR);
    }

    @Override
    protected Quantizer convWeights(int group, int iterations) {
        if (!ptq.get()) {
            return weights(group);
        }
        return new LearnedRoundingQuantizer(weightFormat(), 0, roundingWeight.get(), Math.max(1, iterations));
    }

    @Override
    protected boolean frozen() {
        return ptq.get();
    }

    @Override
    protected double taskWeight() {
        return ptq.get() ? 0 : 1;
    }

    /**
     * QAT: the FP32 run as the starting point. PTQ: the FP32 network's predicted noise as the target, as the
     * per-image sum of squared errors (the mean of the distillation output times the pixels of an image).
     */
    @Override
    public Distillation distillation() {
        if (!ptq.get()) {
            return super.distillation();
        }
        if (!teacher.initFromTeacher.get()) {
            throw new IllegalArgumentException("recipe " + name() + ": post-training quantization starts from the "
                    + "FP32 checkpoint; initFromTeacher=false contradicts ptq=true");
        }
        return teacher.distillation().term("reconstruction", EPS, FeatureLoss.mse(),
                DiffusionImages.SIZE * DiffusionImages.SIZE);
    }

    @Override
    public String sourceRecipe() {
        return "fmnist-ddpm-fp32";
    }

    /** 4 epochs over 2,048 calibration images in batches of 32 (256 steps), Adam 1e-3 on V, no weight average. */
    @Override
    public Map<String, String> postTrainingSettings() {
        return Map.of("ptq", "true", "epochs", "4", "trainLimit", "2048", "batchSize", "32", "learningRate", "1e-3",
                "emaDecay", "0");
    }
}
