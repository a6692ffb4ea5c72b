package dev.mcutrain.report;

import dev.mcutrain.memory.Lifetime;
import dev.mcutrain.train.TrainingMemoryPlan;
import java.util.Locale;
import java.util.Map;

/**
 * A picture of the training arena: time (forward operators, the loss, backward steps) left to
 * right, arena offset bottom to top, one rectangle per buffer coloured by its kind.
 */
public final class ArenaSvg {
  private ArenaSvg() {}

  private static final Map<String, String> COLORS = Map.of(
      "activation", "#4e79a7",
      "saved slice", "#f28e2b",
      "mask", "#e15759",
      "gradient", "#59a14f",
      "loss", "#b07aa1",
      "head", "#9c755f");

  public static String render(TrainingMemoryPlan plan, String title) {
    int steps = 2 * plan.program().lastForwardOp() + 3;
    long arena = Math.max(1, plan.arenaBytes());
    int w = 900;
    int h = 420;
    int left = 70;
    int top = 40;
    int plotW = w - left - 150;
    int plotH = h - top - 50;
    double dx = (double) plotW / steps;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", w, h));
    sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w,
        h));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>%n",
        left, escape(title)));
    for (TrainingMemoryPlan.Buffer b : plan.buffers()) {
      Lifetime l = b.lifetime();
      if (l.size() == 0) {
        continue;
      }
      double x = left + l.firstUse() * dx;
      double bw = (l.lastUse() - l.firstUse() + 1) * dx;
      double y0 = top + plotH - (double) (plan.arena().offset(l.id()) + l.size()) / arena * plotH;
      double bh = (double) l.size() / arena * plotH;
      sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
          + "height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.8\" stroke=\"white\" "
          + "stroke-width=\"0.5\"><title>%s: %,d bytes, t %d..%d</title></rect>%n", x, y0,
          Math.max(bw, 0.5), Math.max(bh, 0.5), COLORS.getOrDefault(b.role(), "#999"),
          escape(l.name()), l.size(), l.firstUse(), l.lastUse()));
    }
    // Axes and the forward/backward boundary.
    int lossX = (int) (left + (plan.program().lastForwardOp() + 1) * dx);
    sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
        + "stroke=\"black\"/>%n", left, top + plotH, left + plotW, top + plotH));
    sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
        + "stroke=\"black\"/>%n", left, top, left, top + plotH));
    sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
        + "stroke=\"#555\" stroke-dasharray=\"4 3\"/>%n", lossX, top, lossX, top + plotH));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">forward</text>%n", left + 4,
        top + plotH + 16));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">loss, then backward</text>%n",
        lossX + 4, top + plotH + 16));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%,d B"
        + "</text>%n", left - 4, top + 10, plan.arenaBytes()));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>%n",
        left - 4, top + plotH));
    int ly = top;
    for (String kind : new String[] {"activation", "saved slice", "mask", "gradient", "loss",
        "head"}) {
      sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
          + "fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n", left + plotW + 20, ly,
          COLORS.get(kind), left + plotW + 38, ly + 10, kind));
      ly += 18;
    }
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">arena %,d B</text>%n",
        left + plotW + 20, ly + 16, plan.arenaBytes()));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">state %,d B</text>%n",
        left + plotW + 20, ly + 32, plan.trainableBytes()));
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
