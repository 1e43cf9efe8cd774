package io.smtpprotocol.client;

import io.smtpprotocol.protocol.MailParameters;

/** Checks of the values callers pass, so that no value can add a command to the session. */
final class Values {

  private Values() {}

  /** Refuses CR, LF and NUL. */
  static String check(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        throw new IllegalArgumentException(name + " must not contain CR, LF or NUL");
      }
    }
    return value;
  }

  /** Refuses keywords and values that are not single words free of CR, LF and NUL. */
  static MailParameters check(MailParameters parameters) {
    parameters
        .values()
        .forEach(
            (k, v) -> {
              check("parameter keyword", k);
              check("parameter value", v);
              if (k.isEmpty() || k.indexOf(' ') >= 0 || k.indexOf('=') >= 0) {
                throw new IllegalArgumentException("parameter keyword must be one word: " + k);
              }
              if (v.indexOf(' ') >= 0) {
                throw new IllegalArgumentException("parameter value must not contain spaces: " + k);
              }
            });
    return parameters;
  }
}
