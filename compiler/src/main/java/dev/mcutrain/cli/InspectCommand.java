package dev.mcutrain.cli;

import dev.mcutrain.analysis.Macs;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.plan.InferenceLayout;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mcutrain inspect MODEL}: operators, tensors, MACs, weight bytes and the arena. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Print a model's operators, tensors, MACs, weight bytes and the static "
        + "inference arena.")
final class InspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.tflite", description = "int8 TFLite model")
  Path model;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Graph g = TfliteReader.read(model);
    PrintWriter out = spec.commandLine().getOut();
    InferenceLayout layout = InferenceLayout.of(g);
    out.printf(Locale.ROOT, "model %s: %d operators, %d tensors%n", g.name(), g.ops().size(),
        g.tensors().size());
    out.println();
    out.println("operators:");
    out.printf(Locale.ROOT, "  %3s  %-18s %-22s %-22s %12s  %s%n", "#", "type", "input", "output",
        "MACs", "attributes");
    for (int i = 0; i < g.ops().size(); i++) {
      Op op = g.ops().get(i);
      out.printf(Locale.ROOT, "  %3d  %-18s %-22s %-22s %,12d  %s%n", i, op.kind(),
          g.tensor(op.inputs().get(0)).shape(), g.tensor(op.output()).shape(), Macs.of(g, op),
          attributes(g, op));
    }
    out.println();
    out.println("tensors:");
    out.printf(Locale.ROOT, "  %3s  %-8s %-20s %-10s %s%n", "#", "type", "shape", "kind",
        "quantization / name");
    long weightBytes = 0;
    for (Tensor t : g.tensors()) {
      if (t.isConstant()) {
        weightBytes += t.byteSize();
      }
      String kind = t.isConstant() ? "const" : g.isGraphInput(t.id()) ? "input"
          : g.isGraphOutput(t.id()) ? "output" : "activation";
      out.printf(Locale.ROOT, "  %3d  %-8s %-20s %-10s %s  %s%n", t.id(),
          t.dtype().name().toLowerCase(Locale.ROOT), t.shape(), kind,
          t.quant().map(InspectCommand::quant).orElse("-"), t.name());
    }
    out.println();
    out.printf(Locale.ROOT, "MACs:            %,d%n", Macs.total(g));
    out.printf(Locale.ROOT, "weight bytes:    %,d (constant tensors, in flash)%n", weightBytes);
    out.printf(Locale.ROOT, "input bytes:     %,d%n", g.inputBytes());
    out.printf(Locale.ROOT, "output bytes:    %,d%n", g.outputBytes());
    out.printf(Locale.ROOT, "inference arena: %,d bytes (%.1f KB; static plan, %d-byte aligned; "
        + "inputs and outputs stay in the caller's buffers)%n", layout.arenaBytes(),
        layout.arenaBytes() / 1024.0, InferenceLayout.ALIGNMENT);
    int peak = layout.arenaPlan().peakOp();
    if (peak >= 0 && layout.arenaBytes() > 0) {
      out.printf(Locale.ROOT, "  peak at operator %d (%s)%n", peak, g.ops().get(peak).kind());
    }
    Graph folded = dev.mcutrain.passes.FoldPad.apply(g);
    if (folded.ops().size() < g.ops().size()) {
      InferenceLayout fl = InferenceLayout.of(folded);
      out.printf(Locale.ROOT, "  with %d PAD operators folded into their convolutions (as "
          + "compile and training do): %,d bytes (%.1f KB)%n",
          g.ops().size() - folded.ops().size(), fl.arenaBytes(), fl.arenaBytes() / 1024.0);
    }
    InferenceLayout fused = InferenceLayout.fused(folded);
    if (!fused.pipelines().groups().isEmpty()) {
      out.printf(Locale.ROOT, "  with %d chains of convolutions run as row pipelines (as compile "
          + "does): %,d bytes (%.1f KB)%n", fused.pipelines().groups().size(),
          fused.arenaBytes(), fused.arenaBytes() / 1024.0);
    }
    return 0;
  }

  static String quant(QuantParams q) {
    if (!q.isPerChannel()) {
      return String.format(Locale.ROOT, "s=%.9g zp=%d", q.scale(), q.zeroPoint());
    }
    float lo = Float.MAX_VALUE;
    float hi = 0;
    for (int c = 0; c < q.channelCount(); c++) {
      lo = Math.min(lo, q.scale(c));
      hi = Math.max(hi, q.scale(c));
    }
    return String.format(Locale.ROOT, "per-channel axis %d x%d s=[%.3g..%.3g] zp=%d", q.axis(),
        q.channelCount(), lo, hi, q.zeroPoint(0));
  }

  private static String padding(dev.mcutrain.ir.Padding p, Op.ExplicitPad e) {
    return e == null ? p.toString() : "pad " + e.top() + "," + e.left();
  }

  private static String attributes(Graph g, Op op) {
    if (op instanceof Op.Conv2D c) {
      var f = g.tensor(c.filter()).shape();
      return String.format(Locale.ROOT, "%dx%d stride %dx%d %s %s", f.dim(1), f.dim(2),
          c.strideH(), c.strideW(), padding(c.padding(), c.explicitPad()), c.activation());
    }
    if (op instanceof Op.DepthwiseConv2D c) {
      var f = g.tensor(c.filter()).shape();
      return String.format(Locale.ROOT, "%dx%d stride %dx%d x%d %s %s", f.dim(1), f.dim(2),
          c.strideH(), c.strideW(), c.depthMultiplier(), padding(c.padding(), c.explicitPad()),
          c.activation());
    }
    if (op instanceof Op.FullyConnected fc) {
      return fc.activation().toString();
    }
    if (op instanceof Op.Add a) {
      return a.activation().toString();
    }
    if (op instanceof Op.Pool2D p) {
      return String.format(Locale.ROOT, "%dx%d stride %dx%d %s %s", p.filterH(), p.filterW(),
          p.strideH(), p.strideW(), p.padding(), p.activation());
    }
    if (op instanceof Op.Softmax s) {
      return "beta " + s.beta();
    }
    if (op instanceof Op.Pad p) {
      return "before " + p.before() + " after " + p.after();
    }
    if (op instanceof Op.Mean m) {
      return "axes " + m.axes() + (m.keepDims() ? " keep_dims" : "");
    }
    return "";
  }
}
