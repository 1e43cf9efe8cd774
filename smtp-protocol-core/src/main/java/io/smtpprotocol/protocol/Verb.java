package io.smtpprotocol.protocol;

import org.jspecify.annotations.Nullable;

/**
 * The verbs of the commands the engine knows, plus the two names the metrics give to lines that are
 * not one of them. This is the one list of verbs: the parser, the session and the metrics use it.
 */
public enum Verb {
  HELO,
  EHLO,
  LHLO,
  MAIL,
  RCPT,
  DATA,
  BDAT,
  RSET,
  NOOP,
  QUIT,
  VRFY,
  EXPN,
  HELP,
  STARTTLS,
  AUTH,
  /** Postfix's XCLIENT: a trusted proxy names the client it speaks for. */
  XCLIENT,
  /** A verb the engine does not know. */
  UNKNOWN,
  /** A command line that could not be used at all (too long, a bare line ending, bad UTF-8). */
  INVALID;

  /** Whether this is the verb of a command, rather than a name for lines that are none. */
  public boolean isCommand() {
    return this != UNKNOWN && this != INVALID;
  }

  /** The command verb spelled {@code name} in upper case, or {@link #UNKNOWN}. */
  public static Verb command(String name) {
    Verb v = of(name);
    return v == null || !v.isCommand() ? UNKNOWN : v;
  }

  /** The verb of this name in upper case, or null; unlike {@link #valueOf} it never throws. */
  public static @Nullable Verb of(String name) {
    return switch (name) {
      case "HELO" -> HELO;
      case "EHLO" -> EHLO;
      case "LHLO" -> LHLO;
      case "MAIL" -> MAIL;
      case "RCPT" -> RCPT;
      case "DATA" -> DATA;
      case "BDAT" -> BDAT;
      case "RSET" -> RSET;
      case "NOOP" -> NOOP;
      case "QUIT" -> QUIT;
      case "VRFY" -> VRFY;
      case "EXPN" -> EXPN;
      case "HELP" -> HELP;
      case "STARTTLS" -> STARTTLS;
      case "AUTH" -> AUTH;
      case "XCLIENT" -> XCLIENT;
      case "UNKNOWN" -> UNKNOWN;
      case "INVALID" -> INVALID;
      default -> null;
    };
  }
}
