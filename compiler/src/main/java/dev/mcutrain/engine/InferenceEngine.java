package dev.mcutrain.engine;

import java.util.List;

/** Runs one inference of a model: the Java reference or generated C. */
public interface InferenceEngine {

  /** One operator's output bytes. */
  record OpOutput(int op, byte[] bytes) {}

  /** Packed output bytes, and per-operator outputs when tracing was requested. */
  record Result(byte[] output, List<OpOutput> ops) {}

  Result run(byte[] input, boolean trace);
}
