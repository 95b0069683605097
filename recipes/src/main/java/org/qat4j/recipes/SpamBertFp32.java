package org.qat4j.recipes;

/** {@code spam-bert-fp32}: the full-precision BERT-like encoder on SpamAssassin, teacher of the binary variants. */
public class SpamBertFp32 extends SpamTransformer {

    @Override
    public String name() {
        return "spam-bert-fp32";
    }

    @Override
    public String description() {
        return "FP32 BERT-like encoder (4 layers, hidden 128, 4 heads) on SpamAssassin ham/spam; the teacher";
    }
}
