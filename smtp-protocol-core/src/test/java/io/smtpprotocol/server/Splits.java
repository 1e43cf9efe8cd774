package io.smtpprotocol.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/** Feeds one input to fresh decoders cut in every way worth trying. */
final class Splits {

  /** Inputs up to this length are also cut at every pair of offsets. */
  private static final int PAIRS_UP_TO = 64;

  private Splits() {}

  /**
   * The ways to cut {@code length} octets: not at all, at every single offset, at every pair of
   * offsets for short inputs, and between every octet.
   */
  static List<int[]> of(int length) {
    List<int[]> all = new ArrayList<>();
    all.add(new int[0]);
    for (int i = 1; i < length; i++) {
      all.add(new int[] {i});
    }
    if (length <= PAIRS_UP_TO) {
      for (int i = 1; i < length; i++) {
        for (int j = i + 1; j < length; j++) {
          all.add(new int[] {i, j});
        }
      }
    }
    int[] every = new int[Math.max(0, length - 1)];
    for (int i = 0; i < every.length; i++) {
      every[i] = i + 1;
    }
    all.add(every);
    return all;
  }

  /**
   * Runs {@code check} on a fresh harness fed with {@code input} for every way of cutting it, and
   * checks that no buffer is left unreleased. The string names the cuts for assertion messages.
   */
  static void forEach(
      Supplier<DecoderHarness> setup, byte[] input, BiConsumer<DecoderHarness, String> check) {
    for (int[] cuts : of(input.length)) {
      String name =
          cuts.length == input.length - 1 && cuts.length > 2
              ? "one octet at a time"
              : "cut at " + Arrays.toString(cuts);
      try (DecoderHarness h = setup.get()) {
        h.feedSplit(input, cuts);
        check.accept(h, name);
      }
    }
  }
}
