package org.qat4j.framework.plot;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.QuantizerRegistry;
import org.qat4j.estimators.sign.SignEstimator;

/**
 * Forward and backward curves of a quantizer on a 1-D grid, side by side in one PNG: left the forward {@code q(x)}
 * (with the surrogate {@code F(x)} dashed for sign estimators), right {@code dq/dx} as the backward computes it.
 * Quantizers with data-dependent statistics see the grid itself as their tensor.
 */
public final class EstimatorPlot {

    private static final int POINTS = 801;
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};

    private final String name;
    private final List<Curve> curves = new ArrayList<>();
    private final double[] x;

    /** One compared setting: its label and its sampled curves. */
    public record Curve(String label, double[] forward, double[] surrogate, double[] backward) {
    }

    public EstimatorPlot(String name, List<Map<String, String>> variants, double lo, double hi) {
        this.name = name;
        this.x = new double[POINTS];
        for (int i = 0; i < POINTS; i++) {
            x[i] = lo + (hi - lo) * i / (POINTS - 1);
        }
        INDArray grid = Nd4j.createFromArray(x);
        for (Map<String, String> settings : variants) {
            Quantizer q = QuantizerRegistry.quantizer(name, settings);
            Map<String, INDArray> params = Params.allocate(q, grid.shape(), DataType.DOUBLE);
            double[] forward = q.forward(grid, params).toDoubleVector();
            double[] backward = q.backward(grid, params, grid.ulike().assign(1.0)).input().toDoubleVector();
            double[] surrogate = q instanceof SignEstimator s ? s.surrogate(grid).toDoubleVector() : null;
            String label = settings.isEmpty() ? name : settings.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
            curves.add(new Curve(label, forward, surrogate, backward));
        }
    }

    public List<Curve> curves() {
        return curves;
    }

    /** Writes the figure; the file appears complete or not at all. */
    public void write(Path file) throws IOException {
        XYChart forward = chart("forward q(x)", "q");
        XYChart backward = chart("backward dq/dx", "dq/dx");
        for (int i = 0; i < curves.size(); i++) {
            Curve c = curves.get(i);
            Color color = PALETTE[i % PALETTE.length];
            line(forward, c.label(), c.forward(), SeriesLines.SOLID, color);
            if (c.surrogate() != null) {
                line(forward, c.label() + " (surrogate F)", c.surrogate(), SeriesLines.DASH_DASH, color);
            }
            line(backward, c.label(), c.backward(), SeriesLines.SOLID, color);
        }
        Figures.writeSideBySide(List.of(forward, backward), file);
    }

    private XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(name + ": " + title)
                .xAxisTitle("x").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(0);
        return chart;
    }

    private void line(XYChart chart, String label, double[] y, java.awt.BasicStroke style, Color color) {
        XYSeries s = chart.addSeries(label, x, y);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(style);
        s.setLineColor(color);
    }
}
