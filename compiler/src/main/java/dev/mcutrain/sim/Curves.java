package dev.mcutrain.sim;

import dev.mcutrain.McuTrainException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Learning curves as CSV and as a PNG plot (JFreeChart, rendered headless). */
public final class Curves {
  private Curves() {}

  /** {@code epoch,train_loss,test_loss,test_accuracy,seconds}; NaN is written as empty. */
  public static void writeCsv(List<Simulation.Epoch> curve, Path file) {
    StringBuilder sb = new StringBuilder("epoch,train_loss,test_loss,test_accuracy,seconds\n");
    for (Simulation.Epoch e : curve) {
      sb.append(e.epoch()).append(',').append(num(e.trainLoss())).append(',')
          .append(num(e.testLoss())).append(',').append(num(e.testAccuracy())).append(',')
          .append(String.format(Locale.ROOT, "%.2f", e.seconds())).append('\n');
    }
    try {
      Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new McuTrainException("cannot write " + file + ": " + e.getMessage());
    }
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
  }

  /**
   * A two-panel PNG: loss (train and test) above, test accuracy below, against epochs; one line
   * per named curve.
   */
  public static void writePlot(String title, Map<String, List<Simulation.Epoch>> curves,
      Path file) {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection loss = new XYSeriesCollection();
    XYSeriesCollection acc = new XYSeriesCollection();
    for (Map.Entry<String, List<Simulation.Epoch>> c : curves.entrySet()) {
      String prefix = curves.size() == 1 ? "" : c.getKey() + ": ";
      XYSeries train = new XYSeries(prefix + "train loss");
      XYSeries test = new XYSeries(prefix + "test loss");
      XYSeries a = new XYSeries(c.getKey().isEmpty() || curves.size() == 1 ? "test accuracy"
          : c.getKey());
      for (Simulation.Epoch e : c.getValue()) {
        if (!Double.isNaN(e.trainLoss())) {
          train.add(e.epoch(), e.trainLoss());
        }
        if (!Double.isNaN(e.testLoss())) {
          test.add(e.epoch(), e.testLoss());
        }
        if (!Double.isNaN(e.testAccuracy())) {
          a.add(e.epoch(), 100 * e.testAccuracy());
        }
      }
      loss.addSeries(train);
      loss.addSeries(test);
      acc.addSeries(a);
    }
    NumberAxis epochs = new NumberAxis("epoch");
    epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochs);
    plot.add(panel(loss, "cross-entropy"), 1);
    plot.add(panel(acc, "test accuracy (%)"), 1);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    try {
      ChartUtils.saveChartAsPNG(file.toFile(), chart, 800, 600);
    } catch (IOException e) {
      throw new McuTrainException("cannot write " + file + ": " + e.getMessage());
    }
  }

  private static XYPlot panel(XYSeriesCollection data, String label) {
    NumberAxis y = new NumberAxis(label);
    y.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    XYPlot p = new XYPlot(data, null, y, r);
    p.setBackgroundPaint(Color.WHITE);
    p.setDomainGridlinePaint(Color.LIGHT_GRAY);
    p.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return p;
  }
}
