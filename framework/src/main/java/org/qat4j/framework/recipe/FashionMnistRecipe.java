package org.qat4j.framework.recipe;

import java.io.IOException;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.data.ImageAugmentation;

/** Base of the Fashion-MNIST classification recipes: 28x28x1 input, ten classes, optional augmentation. */
public abstract class FashionMnistRecipe extends ClassificationRecipe {

    public static final int CLASSES = 10;

    public final Hyperparameters.Param<Boolean> flip = hyperparameters().flag("flip", false,
            "augment: mirror training images left-right with probability 1/2");
    public final Hyperparameters.Param<Integer> shift = hyperparameters().integer("shift", 0, 0, 8,
            "augment: translate training images by up to N pixels each way (zero fill)");

    @Override
    public int classes() {
        return CLASSES;
    }

    @Override
    public Data loadData(Path dataDir) throws IOException {
        FashionMnist f = FashionMnist.load(dataDir);
        return new Data(f.source(), f.train().limit(trainLimit.get()), f.test().limit(testLimit.get()),
                new ImageAugmentation(flip.get(), shift.get()));
    }

    @Override
    public InputType[] inputTypes() {
        return new InputType[] {InputType.convolutional(28, 28, 1)};
    }
}
