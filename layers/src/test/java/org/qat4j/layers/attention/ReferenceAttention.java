package org.qat4j.layers.attention;

import java.util.function.DoubleUnaryOperator;

/**
 * Multi-head attention written out in plain loops, independently of ND4J, from the formulas in the Javadoc of
 * {@link AttentionScores}, {@link AttentionContext} and {@link AttentionFunction}: the reference the vertices are
 * checked against. Arrays are [n][channel][position] for sequences and [n][head][query][key] for scores; head h
 * is channels h*d .. h*d+d-1.
 */
final class ReferenceAttention {

    /** A quantizer as a forward function and the factor its backward multiplies the gradient by. */
    record Quant(DoubleUnaryOperator forward, DoubleUnaryOperator derivative) {
        static final Quant IDENTITY = new Quant(x -> x, x -> 1);

        /** sign(x) with sign(0) = +1, backward 1{|x| <= clip}. */
        static Quant ste(double clip) {
            return new Quant(x -> x >= 0 ? 1 : -1, x -> Math.abs(x) <= clip ? 1 : 0);
        }
    }

    record Forward(double[][][][] scores, double[][][][] probabilities, double[][][] context) {
    }

    record Backward(double[][][] dq, double[][][] dk, double[][][] dv) {
    }

    private final int heads;
    private final AttentionFunction function;
    private final double beta;
    private final Quant query;
    private final Quant key;
    private final Quant value;

    ReferenceAttention(int heads, AttentionFunction function, double beta, Quant query, Quant key, Quant value) {
        this.heads = heads;
        this.function = function;
        this.beta = beta;
        this.query = query;
        this.key = key;
        this.value = value;
    }

    private static double[][][] map(double[][][] x, DoubleUnaryOperator f) {
        double[][][] out = new double[x.length][x[0].length][x[0][0].length];
        for (int n = 0; n < x.length; n++) {
            for (int c = 0; c < x[0].length; c++) {
                for (int i = 0; i < x[0][0].length; i++) {
                    out[n][c][i] = f.applyAsDouble(x[n][c][i]);
                }
            }
        }
        return out;
    }

    private static double[] softmax(double[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double a : row) {
            max = Math.max(max, a);
        }
        double sum = 0;
        double[] s = new double[row.length];
        for (int j = 0; j < row.length; j++) {
            s[j] = Math.exp(row[j] - max);
            sum += s[j];
        }
        for (int j = 0; j < row.length; j++) {
            s[j] /= sum;
        }
        return s;
    }

    private double[] probabilities(double[] row) {
        double[] p = new double[row.length];
        switch (function) {
            case SOFTMAX -> p = softmax(row);
            case BI_ATTENTION -> {
                for (int j = 0; j < row.length; j++) {
                    p[j] = row[j] > 0 ? 1 : 0;
                }
            }
            case SOFTMAX_AWARE -> {
                double[] s = softmax(row);
                double max = 0;
                for (double x : s) {
                    max = Math.max(max, x);
                }
                for (int j = 0; j < row.length; j++) {
                    p[j] = s[j] >= beta * max ? 1 : 0;
                }
            }
        }
        return p;
    }

    /** dL/dA of one row from dL/dP of that row. */
    private double[] scoresGradient(double[] row, double[] p, double[] dp) {
        double[] da = new double[row.length];
        if (function == AttentionFunction.BI_ATTENTION) {
            for (int j = 0; j < row.length; j++) {
                da[j] = Math.abs(row[j]) < 1 ? dp[j] : 0;
            }
            return da;
        }
        double[] s = function == AttentionFunction.SOFTMAX ? p : softmax(row);
        double dot = 0;
        for (int j = 0; j < row.length; j++) {
            dot += dp[j] * s[j];
        }
        for (int j = 0; j < row.length; j++) {
            da[j] = s[j] * (dp[j] - dot);
        }
        return da;
    }

    Forward forward(double[][][] q, double[][][] k, double[][][] v, double[][] mask) {
        int batch = q.length;
        int d = q[0].length / heads;
        int length = q[0][0].length;
        double[][][] qq = map(q, query.forward());
        double[][][] kq = map(k, key.forward());
        double[][][] vq = map(v, value.forward());
        double[][][][] a = new double[batch][heads][length][length];
        double[][][][] p = new double[batch][heads][length][];
        double[][][] context = new double[batch][heads * d][length];
        for (int n = 0; n < batch; n++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < length; i++) {
                    for (int j = 0; j < length; j++) {
                        double dot = 0;
                        for (int c = h * d; c < h * d + d; c++) {
                            dot += qq[n][c][i] * kq[n][c][j];
                        }
                        a[n][h][i][j] = dot / Math.sqrt(d) + (mask != null && mask[n][j] == 0 ? -10000 : 0);
                    }
                    p[n][h][i] = probabilities(a[n][h][i]);
                    for (int c = h * d; c < h * d + d; c++) {
                        double sum = 0;
                        for (int j = 0; j < length; j++) {
                            sum += p[n][h][i][j] * vq[n][c][j];
                        }
                        context[n][c][i] = sum;
                    }
                }
            }
        }
        return new Forward(a, p, context);
    }

    /** Gradients of q, k, v given {@code g = dL/dcontext}. */
    Backward backward(double[][][] q, double[][][] k, double[][][] v, double[][] mask, double[][][] g) {
        Forward f = forward(q, k, v, mask);
        int batch = q.length;
        int d = q[0].length / heads;
        int length = q[0][0].length;
        double[][][] qq = map(q, query.forward());
        double[][][] kq = map(k, key.forward());
        double[][][] vq = map(v, value.forward());
        double[][][] dq = new double[batch][heads * d][length];
        double[][][] dk = new double[batch][heads * d][length];
        double[][][] dv = new double[batch][heads * d][length];
        for (int n = 0; n < batch; n++) {
            for (int h = 0; h < heads; h++) {
                double[][] da = new double[length][];
                for (int i = 0; i < length; i++) {
                    double[] dp = new double[length];
                    for (int j = 0; j < length; j++) {
                        for (int c = h * d; c < h * d + d; c++) {
                            dp[j] += g[n][c][i] * vq[n][c][j];
                            dv[n][c][j] += g[n][c][i] * f.probabilities()[n][h][i][j];
                        }
                    }
                    da[i] = scoresGradient(f.scores()[n][h][i], f.probabilities()[n][h][i], dp);
                }
                for (int i = 0; i < length; i++) {
                    for (int j = 0; j < length; j++) {
                        for (int c = h * d; c < h * d + d; c++) {
                            dq[n][c][i] += da[i][j] * kq[n][c][j] / Math.sqrt(d);
                            dk[n][c][j] += da[i][j] * qq[n][c][i] / Math.sqrt(d);
                        }
                    }
                }
            }
        }
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < heads * d; c++) {
                for (int i = 0; i < length; i++) {
                    dq[n][c][i] *= query.derivative().applyAsDouble(q[n][c][i]);
                    dk[n][c][i] *= key.derivative().applyAsDouble(k[n][c][i]);
                    dv[n][c][i] *= value.derivative().applyAsDouble(v[n][c][i]);
                }
            }
        }
        return new Backward(dq, dk, dv);
    }
}
