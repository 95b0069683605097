package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java examples of README.md compile against qat4j, so that the documentation cannot drift from the API. A
 * class example is compiled as it stands; a fragment of statements inside a method whose parameters are the names
 * the README leaves to the reader ({@code quantizer}, {@code x}, {@code params}, ...). The packaged user recipe is
 * left to {@link UserRecipeTest}, which also trains it.
 */
class ReadmeExamplesTest {

    private static final String IMPORTS = """
            import java.util.*;
            import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
            import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
            import org.deeplearning4j.nn.conf.inputs.InputType;
            import org.deeplearning4j.nn.conf.layers.OutputLayer;
            import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
            import org.nd4j.linalg.activations.Activation;
            import org.nd4j.linalg.api.ndarray.INDArray;
            import org.nd4j.linalg.learning.config.Adam;
            import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
            import org.qat4j.estimators.*;
            import org.qat4j.estimators.fp.*;
            import org.qat4j.estimators.integer.*;
            import org.qat4j.estimators.multibit.*;
            import org.qat4j.estimators.scaling.*;
            import org.qat4j.estimators.schedule.*;
            import org.qat4j.estimators.sign.*;
            import org.qat4j.layers.*;
            import org.qat4j.layers.summary.*;
            import org.qat4j.distillation.*;
            import org.qat4j.framework.recipe.*;
            import org.qat4j.recipes.*;
            """;

    private static final String READER_NAMES = "Quantizer quantizer, INDArray x, Map<String, INDArray> params, "
            + "INDArray gradOut, int epoch, int iteration, int epochs";

    @TempDir
    Path tmp;

    @Test
    void everyJavaExampleCompiles() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<String> files = new ArrayList<>();
        int examples = 0;
        while (m.find()) {
            String code = m.group(1);
            int line = readme.substring(0, m.start()).split("\n", -1).length;
            if (code.startsWith("package ")) {
                continue;
            }
            examples++;
            Matcher cls = Pattern.compile("^public class (\\w+)", Pattern.MULTILINE).matcher(code);
            String name = cls.find() ? cls.group(1) : "ReadmeLine" + line;
            String source = cls.find(0) ? IMPORTS + "// README.md line " + line + "\n" + code
                    : IMPORTS + "// README.md line " + line + "\nclass " + name + " {\n    void example(" + READER_NAMES
                            + ") throws Exception {\n" + code + "    }\n}\n";
            Path file = tmp.resolve(name + ".java");
            Files.writeString(file, source);
            files.add(file.toString());
        }
        assertTrue(examples >= 4, "README's Java examples found: " + examples);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-proc:none", "-d", tmp.resolve("classes").toString(), "-cp",
                System.getProperty("java.class.path")));
        args.addAll(files);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, args.toArray(String[]::new));
        assertEquals(0, rc, "README examples do not compile:\n" + err.toString(StandardCharsets.UTF_8));
    }
}
