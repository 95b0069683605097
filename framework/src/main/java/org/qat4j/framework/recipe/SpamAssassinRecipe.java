package org.qat4j.framework.recipe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.qat4j.framework.data.SpamAssassin;
import org.qat4j.framework.data.WordPieceTokenizer;

/**
 * Base of the SpamAssassin recipes (ham against spam): each message is {@code maxLength} WordPiece token ids,
 * [CLS] first, padded, with a features mask over the padding; the input {@code in} is declared
 * {@code InputType.recurrent(1, maxLength)}. The tokenizer is learnt from the training split when a run starts and
 * saved in its checkpoints as the derived state {@value #VOCABULARY}, so resume and eval encode with exactly the
 * run's vocabulary (and a distilled run is refused a teacher that encoded with another one).
 */
public abstract class SpamAssassinRecipe extends ClassificationRecipe {

    /** The name of the vocabulary in {@link #derivedState()}. */
    public static final String VOCABULARY = "vocabulary";

    public final Hyperparameters.Param<Integer> vocabSize = hyperparameters().integer("vocabSize",
            WordPieceTokenizer.DEFAULT_VOCAB_SIZE, 64, 1 << 20, "WordPiece vocabulary size, special tokens included");
    public final Hyperparameters.Param<Integer> maxLength = hyperparameters().integer("maxLength", 128, 2, 4096,
            "tokens per message: [CLS] and the first pieces, padded");

    private WordPieceTokenizer tokenizer;

    @Override
    public int classes() {
        return SpamAssassin.CLASSES.size();
    }

    @Override
    public Data loadData(Path dataDir) throws IOException {
        SpamAssassin corpus = SpamAssassin.load(dataDir);
        if (tokenizer == null) {
            tokenizer = corpus.tokenizer(vocabSize.get());
        }
        SpamAssassin.Sequences s = corpus.encode(tokenizer, maxLength.get());
        String skipped = corpus.skipped().isEmpty() ? "" : ", " + corpus.skipped().size() + " undecodable skipped";
        return new Data(corpus.source() + skipped, s.train().limit(trainLimit.get()), s.test().limit(testLimit.get()));
    }

    /** The tokenizer of the data last loaded (or restored); null before. */
    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public Map<String, String> derivedState() {
        return tokenizer == null ? Map.of() : Map.of(VOCABULARY, tokenizer.toText());
    }

    @Override
    public void restoreDerivedState(Map<String, String> state) {
        String text = state.get(VOCABULARY);
        if (text == null) {
            throw new IllegalArgumentException("the checkpoint of recipe " + name() + " holds no " + VOCABULARY);
        }
        tokenizer = WordPieceTokenizer.parse(text);
    }

    @Override
    public InputType[] inputTypes() {
        return new InputType[] {InputType.recurrent(1, maxLength.get())};
    }
}
