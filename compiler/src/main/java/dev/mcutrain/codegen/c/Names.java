package dev.mcutrain.codegen.c;

import java.util.Locale;

/** Every identifier of the generated C comes from here: {@code mt_<model>_x}, {@code MT_<MODEL>_X}. */
public record Names(String model) {

  public Names {
    if (!model.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("model name is not a C identifier: " + model);
    }
  }

  /** A public function or object: {@code mt_<model>_<suffix>}. */
  public String fn(String suffix) {
    return "mt_" + model + "_" + suffix;
  }

  /** A macro: {@code MT_<MODEL>_<SUFFIX>}. */
  public String macro(String suffix) {
    return ("MT_" + model + "_" + suffix).toUpperCase(Locale.ROOT);
  }

  public String headerFile() {
    return "mt_" + model + ".h";
  }

  public String sourceFile() {
    return "mt_" + model + ".c";
  }

  public String weightsFile() {
    return "mt_" + model + "_weights.c";
  }

  /** A constant of operator {@code op}: {@code mt_<model>_op07_filter}. */
  public String opConst(int op, String what) {
    return fn(String.format(Locale.ROOT, "op%02d_%s", op, what));
  }
}
