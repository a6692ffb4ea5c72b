package dev.mcutrain.engine;

import dev.mcutrain.ir.Graph;
import dev.mcutrain.reference.ReferenceInterpreter;
import java.util.ArrayList;
import java.util.List;

/** The Java reference interpreter as an engine. */
public final class JavaEngine implements InferenceEngine {
  private final ReferenceInterpreter interpreter;

  public JavaEngine(Graph graph) {
    this.interpreter = new ReferenceInterpreter(graph);
  }

  @Override
  public Result run(byte[] input, boolean trace) {
    List<OpOutput> ops = new ArrayList<>();
    byte[] out = interpreter.run(input, trace ? (i, op, b) -> ops.add(new OpOutput(i, b)) : null);
    return new Result(out, ops);
  }
}
