package io.smtpprotocol.auth;

import java.text.Normalizer;

/**
 * SASLprep (RFC 4013) for user names and passwords, as SCRAM requires: non-ASCII spaces become
 * spaces, characters "commonly mapped to nothing" are dropped, the result is NFKC-normalized, and
 * control characters are refused. (Unassigned code points and the bidirectional rules of stringprep
 * are not checked.)
 */
final class SaslPrep {

  private SaslPrep() {}

  /** The prepared string; throws {@link IllegalArgumentException} for prohibited characters. */
  static String prepare(String s) {
    boolean ascii = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException("control characters are not allowed");
      }
      if (c >= 0x80) {
        ascii = false;
      }
    }
    if (ascii) {
      return s;
    }
    StringBuilder mapped = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            cp -> {
              if (mappedToNothing(cp)) {
                return;
              }
              mapped.appendCodePoint(nonAsciiSpace(cp) ? ' ' : cp);
            });
    String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
    normalized
        .codePoints()
        .forEach(
            cp -> {
              if (Character.isISOControl(cp)
                  || Character.getType(cp) == Character.PRIVATE_USE
                  || Character.getType(cp) == Character.SURROGATE
                  || (cp >= 0xFDD0 && cp <= 0xFDEF)
                  || (cp & 0xFFFE) == 0xFFFE) {
                throw new IllegalArgumentException(
                    "prohibited character U+" + Integer.toHexString(cp));
              }
            });
    return normalized;
  }

  private static boolean nonAsciiSpace(int cp) {
    return cp == 0x00A0
        || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200B)
        || cp == 0x202F
        || cp == 0x205F
        || cp == 0x3000;
  }

  private static boolean mappedToNothing(int cp) {
    return cp == 0x00AD
        || cp == 0x034F
        || cp == 0x1806
        || (cp >= 0x180B && cp <= 0x180D)
        || (cp >= 0x200B && cp <= 0x200D)
        || cp == 0x2060
        || (cp >= 0xFE00 && cp <= 0xFE0F)
        || cp == 0xFEFF;
  }
}
