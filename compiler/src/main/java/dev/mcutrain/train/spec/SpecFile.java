package dev.mcutrain.train.spec;

import com.google.common.collect.ImmutableList;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.train.update.Rounding;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The training spec file ({@code --spec FILE}): one strict JSON object (no comments, no trailing
 * commas) whose keys are the long option names in camelCase, all optional:
 *
 * <pre>
 * key            JSON type                 option              example
 * classes        integer                   --classes N         10
 * head           "fp32" | "int8"           --head              "fp32"
 * lr             number                    --lr                0.05
 * schedule       "constant" | "cosine"     --schedule          "cosine"
 * scheduleSteps  integer                   --schedule-steps    1000
 * accumulate     integer                   --accumulate        8
 * update         string (scheme syntax)    --update            "sparse:bias=22;w=21:1,36:1/8"
 * qas            true | false              --[no-]qas          false
 * rounding       "truncate" | "nearest" | "stochastic"
 *                                          --rounding          "stochastic"
 * budget         string or integer bytes   --budget            "256K" or 262144
 * seed           integer                   --seed              1
 * </pre>
 *
 * <p>Enum strings are case-insensitive. Unknown keys, repeated keys, null and values of the wrong
 * JSON type are errors (an integer must be written without a fraction or exponent). Flags given on
 * the command line override the file; validation applies to the merged result.
 */
public final class SpecFile {
  /** The keys a spec file may hold, in the order {@link #write} uses. */
  public static final ImmutableList<String> KEYS = ImmutableList.of("classes", "head", "lr",
      "schedule", "scheduleSteps", "accumulate", "update", "qas", "rounding", "budget", "seed");

  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
  private static final Pattern WHERE = Pattern.compile("^(.*?)\\s*at line (\\d+) column (\\d+)");

  private SpecFile() {}

  /** Reads {@code file} into {@code into} (overriding what it holds) and returns it. */
  public static TrainingSpec.Builder read(Path file, TrainingSpec.Builder into) {
    String json;
    try {
      byte[] bytes = Files.readAllBytes(file);
      json = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (NoSuchFileException e) {
      throw new McuTrainException(file + ": no such file");
    } catch (CharacterCodingException e) {
      throw new McuTrainException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new McuTrainException(file + ": cannot read (" + e.getMessage() + ")");
    }
    return apply(json, file.toString(), into);
  }

  /**
   * Applies the JSON text of a spec file to {@code into}; {@code source} names it in error
   * messages.
   */
  public static TrainingSpec.Builder apply(String json, String source,
      TrainingSpec.Builder into) {
    JsonReader r = new JsonReader(new StringReader(json));
    r.setStrictness(Strictness.STRICT);
    try {
      if (r.peek() != JsonToken.BEGIN_OBJECT) {
        throw new McuTrainException(source + ": expected a JSON object {...}, found "
            + describe(r.peek()));
      }
      r.beginObject();
      Set<String> seen = new HashSet<>();
      while (r.hasNext()) {
        String key = r.nextName();
        if (!KEYS.contains(key)) {
          throw new McuTrainException(source + ": unknown key \"" + key + "\" (known: "
              + String.join(", ", KEYS) + ")");
        }
        if (!seen.add(key)) {
          throw new McuTrainException(source + ": key \"" + key + "\" given twice");
        }
        try {
          value(r, key, into);
        } catch (McuTrainException e) {
          throw new McuTrainException(source + ": " + e.getMessage(), e);
        }
      }
      r.endObject();
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw new McuTrainException(source + ": unexpected content after the JSON object");
      }
    } catch (IOException | IllegalStateException e) {
      throw new McuTrainException(source + ": " + malformed(e));
    }
    return into;
  }

  private static void value(JsonReader r, String key, TrainingSpec.Builder b) throws IOException {
    switch (key) {
      case "classes" -> b.classes(integer(r, key));
      case "head" -> b.head(TrainingSpec.parseEnum("head", string(r, key),
          TrainingSpec.Head.class));
      case "lr" -> b.learningRate(number(r, key));
      case "schedule" -> b.schedule(TrainingSpec.parseEnum("schedule", string(r, key),
          TrainingSpec.Schedule.class));
      case "scheduleSteps" -> b.scheduleSteps(integer(r, key));
      case "accumulate" -> b.accumulate(integer(r, key));
      case "update" -> b.scheme(UpdateScheme.parse(string(r, key)));
      case "qas" -> {
        expect(r, key, JsonToken.BOOLEAN, "true or false");
        b.qas(r.nextBoolean());
      }
      case "rounding" -> b.rounding(TrainingSpec.parseEnum("rounding", string(r, key),
          Rounding.class));
      case "budget" -> {
        if (r.peek() == JsonToken.NUMBER) {
          String literal = r.nextString();
          if (!INTEGER.matcher(literal).matches()) {
            throw new McuTrainException("\"budget\" must be a whole number of bytes or a string "
                + "such as \"256K\", got " + literal);
          }
          b.budgetBytes(Budget.parse(literal));
        } else {
          b.budgetBytes(Budget.parse(string(r, key, "a string such as \"256K\" or a number")));
        }
      }
      case "seed" -> b.seed(integer(r, key));
      default -> throw new IllegalStateException(key);
    }
  }

  private static void expect(JsonReader r, String key, JsonToken type, String what)
      throws IOException {
    if (r.peek() != type) {
      throw new McuTrainException("\"" + key + "\" must be " + what + ", not "
          + describe(r.peek()));
    }
  }

  private static String string(JsonReader r, String key) throws IOException {
    return string(r, key, "a string");
  }

  private static String string(JsonReader r, String key, String what) throws IOException {
    expect(r, key, JsonToken.STRING, what);
    return r.nextString();
  }

  private static int integer(JsonReader r, String key) throws IOException {
    expect(r, key, JsonToken.NUMBER, "an integer");
    String literal = r.nextString();
    if (!INTEGER.matcher(literal).matches()) {
      throw new McuTrainException("\"" + key + "\" must be an integer, got " + literal);
    }
    try {
      return Integer.parseInt(literal);
    } catch (NumberFormatException e) {
      throw new McuTrainException("\"" + key + "\" is out of range: " + literal);
    }
  }

  private static float number(JsonReader r, String key) throws IOException {
    expect(r, key, JsonToken.NUMBER, "a number");
    return Float.parseFloat(r.nextString()); // strict JSON syntax was checked by the reader
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case BEGIN_ARRAY -> "an array";
      case BEGIN_OBJECT -> "an object";
      case END_DOCUMENT -> "the end of the file";
      default -> t.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** Gson's parse error as one line: {@code malformed JSON at line 2 column 5 (reason)}. */
  private static String malformed(Exception e) {
    String msg = String.valueOf(e.getMessage()).split("\\R", 2)[0];
    if (e instanceof java.io.EOFException) {
      return "malformed JSON: the file ends too early";
    }
    Matcher m = WHERE.matcher(msg);
    if (!m.find()) {
      return "malformed JSON (" + msg + ")";
    }
    String reason = m.group(1);
    if (reason.startsWith("Use JsonReader.setStrictness") || reason.isEmpty()) {
      reason = "not strict JSON";
    }
    return "malformed JSON at line " + m.group(2) + " column " + m.group(3) + " (" + reason + ")";
  }

  /** The spec as a spec file; keys at their defaults are still written, except those noted. */
  static String write(TrainingSpec s) {
    StringWriter out = new StringWriter();
    try (JsonWriter w = new JsonWriter(out)) {
      w.setIndent("  ");
      w.beginObject();
      if (s.classes().isPresent()) {
        w.name("classes").value((long) s.classes().get());
        w.name("head").value(TrainingSpec.lower(s.head()));
      }
      w.name("lr").jsonValue(Float.toString(s.learningRate()));
      w.name("schedule").value(TrainingSpec.lower(s.schedule()));
      if (s.schedule() == TrainingSpec.Schedule.COSINE) {
        w.name("scheduleSteps").value(s.scheduleSteps());
      }
      w.name("accumulate").value(s.accumulate());
      w.name("update").value(s.scheme().toString());
      w.name("qas").value(s.qas());
      w.name("rounding").value(TrainingSpec.lower(s.rounding()));
      w.name("budget").value(Budget.format(s.budgetBytes()));
      w.name("seed").value(s.seed());
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out + "\n";
  }
}
