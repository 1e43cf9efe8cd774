package io.smtpprotocol.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * Parses one SMTP command line (without its CRLF) into a {@link Command}.
 *
 * <p>Parsing never throws on bad input: a malformed line becomes {@link Command.Invalid} carrying
 * the reply to send, and an unknown verb becomes {@link Command.Unknown}.
 */
public final class CommandParser {

  private CommandParser() {}

  /** The longest verb the parser looks at; longer first words are unknown commands. */
  private static final int MAX_VERB = 32;

  public static Command parse(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return new Command.Invalid(verbOf(line), Replies.CONTROL_CHARACTER);
      }
    }
    int sp = line.indexOf(' ');
    String rawVerb = sp < 0 ? line : line.substring(0, sp);
    String arg = sp < 0 ? "" : line.substring(sp + 1);
    if (rawVerb.isEmpty() || rawVerb.length() > MAX_VERB) {
      return new Command.Unknown(rawVerb.length() > MAX_VERB ? "" : rawVerb, arg);
    }
    String verb = rawVerb.toUpperCase(Locale.ROOT);
    Verb kind = Verb.command(verb);
    return switch (kind) {
      case HELO, EHLO, LHLO -> hello(kind, arg);
      case MAIL -> mailFrom(arg);
      case RCPT -> rcptTo(arg);
      case DATA -> noArgs(verb, arg, new Command.Data());
      case BDAT -> bdat(arg);
      case RSET -> noArgs(verb, arg, new Command.Rset());
      case QUIT -> noArgs(verb, arg, new Command.Quit());
      case STARTTLS -> noArgs(verb, arg, new Command.StartTls());
      case NOOP -> new Command.Noop(arg);
      case VRFY ->
          arg.isBlank() ? new Command.Invalid(verb, Replies.SYNTAX_ERROR) : new Command.Vrfy(arg);
      case EXPN ->
          arg.isBlank() ? new Command.Invalid(verb, Replies.SYNTAX_ERROR) : new Command.Expn(arg);
      case HELP -> new Command.Help(arg);
      case AUTH -> auth(arg);
      case XCLIENT -> XclientSyntax.parse(arg);
      case UNKNOWN, INVALID -> new Command.Unknown(verb, arg);
    };
  }

  private static String verbOf(String line) {
    int sp = line.indexOf(' ');
    String v = sp < 0 ? line : line.substring(0, sp);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < v.length() && i < MAX_VERB; i++) {
      char c = v.charAt(i);
      if (c >= 'a' && c <= 'z') {
        sb.append((char) (c - 32));
      } else if (c > 0x20 && c < 0x7f) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static Command noArgs(String verb, String arg, Command command) {
    return arg.isBlank() ? command : new Command.Invalid(verb, Replies.NO_ARGUMENTS_ALLOWED);
  }

  private static Command hello(Verb verb, String arg) {
    String domain = arg.strip();
    if (domain.isEmpty() || domain.indexOf(' ') >= 0) {
      return new Command.Invalid(
          verb.name(),
          verb == Verb.HELO ? Replies.HELO_REQUIRES_DOMAIN : Replies.EHLO_REQUIRES_DOMAIN);
    }
    return switch (verb) {
      case HELO -> new Command.Helo(domain);
      case EHLO -> new Command.Ehlo(domain);
      default -> new Command.Lhlo(domain);
    };
  }

  private static Command mailFrom(String arg) {
    if (!arg.regionMatches(true, 0, "FROM:", 0, 5)) {
      return new Command.Invalid("MAIL", Replies.MAIL_SYNTAX);
    }
    int i = skipSpaces(arg, 5);
    if (i >= arg.length() || arg.charAt(i) != '<') {
      return new Command.Invalid("MAIL", Replies.MAIL_SYNTAX);
    }
    AddressParser.PathResult path = AddressParser.parsePath(arg, i, true, false);
    if (path == null) {
      return new Command.Invalid("MAIL", Replies.BAD_SENDER_ADDRESS);
    }
    Optional<MailParameters> params = parameters(arg, path.end());
    if (params.isEmpty()) {
      return new Command.Invalid("MAIL", Replies.MAIL_SYNTAX);
    }
    ReversePath from = path.mailbox() == null ? ReversePath.NULL : ReversePath.of(path.mailbox());
    return new Command.MailFrom(from, params.get());
  }

  private static Command rcptTo(String arg) {
    if (!arg.regionMatches(true, 0, "TO:", 0, 3)) {
      return new Command.Invalid("RCPT", Replies.RCPT_SYNTAX);
    }
    int i = skipSpaces(arg, 3);
    if (i >= arg.length() || arg.charAt(i) != '<') {
      return new Command.Invalid("RCPT", Replies.RCPT_SYNTAX);
    }
    AddressParser.PathResult path = AddressParser.parsePath(arg, i, false, true);
    if (path == null || path.mailbox() == null) {
      return new Command.Invalid("RCPT", Replies.BAD_RECIPIENT_ADDRESS);
    }
    Optional<MailParameters> params = parameters(arg, path.end());
    if (params.isEmpty()) {
      return new Command.Invalid("RCPT", Replies.RCPT_SYNTAX);
    }
    return new Command.RcptTo(path.mailbox(), params.get());
  }

  private static Optional<MailParameters> parameters(String arg, int end) {
    if (end == arg.length()) {
      return Optional.of(MailParameters.EMPTY);
    }
    if (arg.charAt(end) != ' ') {
      return Optional.empty();
    }
    return MailParameters.parse(arg.substring(end + 1));
  }

  private static Command bdat(String arg) {
    String[] parts = arg.strip().split(" +");
    if (parts.length < 1 || parts.length > 2 || parts[0].isEmpty() || parts[0].length() > 18) {
      return new Command.Invalid("BDAT", Replies.BDAT_SYNTAX);
    }
    for (int i = 0; i < parts[0].length(); i++) {
      if (parts[0].charAt(i) < '0' || parts[0].charAt(i) > '9') {
        return new Command.Invalid("BDAT", Replies.BDAT_SYNTAX);
      }
    }
    boolean last = false;
    if (parts.length == 2) {
      if (!parts[1].equalsIgnoreCase("LAST")) {
        return new Command.Invalid("BDAT", Replies.BDAT_SYNTAX);
      }
      last = true;
    }
    return new Command.Bdat(Long.parseLong(parts[0]), last);
  }

  private static Command auth(String arg) {
    String[] parts = arg.strip().split(" +");
    if (parts.length < 1 || parts.length > 2 || parts[0].isEmpty()) {
      return new Command.Invalid("AUTH", Replies.SYNTAX_ERROR);
    }
    return new Command.Auth(parts[0].toUpperCase(Locale.ROOT), parts.length == 2 ? parts[1] : null);
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && s.charAt(i) == ' ') {
      i++;
    }
    return i;
  }
}
