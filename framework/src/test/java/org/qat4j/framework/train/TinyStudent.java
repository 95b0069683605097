package org.qat4j.framework.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.distillation.FeatureLoss;
import org.qat4j.distillation.KdLoss;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.Hyperparameters;
import org.qat4j.framework.recipe.TeacherSettings;
import org.qat4j.layers.NativeBatchNorm;
import org.qat4j.layers.QuantConv2D;

/**
 * A distilled test recipe: the tiny network's layers (so a {@link TinyRecipe} teacher initialises it) with a
 * logits head, KD on the logits and a feature term on a configurable tap.
 */
public class TinyStudent extends TinyRecipe {

    public final TeacherSettings teacher = new TeacherSettings(hyperparameters(), "runs/tiny", false);
    public final Hyperparameters.Param<String> featureTap = hyperparameters().text("featureTap", "bn2",
            "student vertex of the feature term");
    public final Hyperparameters.Param<String> teacherFeatureTap = hyperparameters().text("teacherFeatureTap", "bn2",
            "teacher vertex of the feature term");
    public final Hyperparameters.Param<Double> termWeight = hyperparameters().real("termWeight", 1.0, 0, 10,
            "weight of both distillation terms");
    public final Hyperparameters.Param<Integer> width = hyperparameters().integer("width", 8, 1, 64,
            "channels of the second convolution");

    public TinyStudent() {
        flip.set(false);
        shift.set(0);
    }

    @Override
    public String name() {
        return "tiny-student";
    }

    @Override
    public ComputationGraph buildModel(int iterationsPerEpoch) {
        ComputationGraphConfiguration.GraphBuilder g = graph(iterationsPerEpoch);
        g.addLayer("c1", new QuantConv2D.Builder().nOut(8).kernelSize(3, 3).stride(2, 2)
                .activation(Activation.IDENTITY).build(), INPUT);
        g.addLayer("bn1", new NativeBatchNorm.Builder().build(), "c1");
        g.addLayer("c2", new QuantConv2D.Builder().nOut(width.get()).kernelSize(3, 3).stride(2, 2)
                .activation(Activation.TANH).build(), "bn1");
        g.addLayer("bn2", new NativeBatchNorm.Builder().build(), "c2");
        g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn2");
        return new ComputationGraph(g.setOutputs(classifier(g, "gap")).build());
    }

    @Override
    public Distillation distillation() {
        return teacher.distillation().term("kd", Distillation.LOGITS, new KdLoss(2), termWeight.get())
                .term("feature", featureTap.get(), teacherFeatureTap.get(), FeatureLoss.mse(), termWeight.get());
    }
}
