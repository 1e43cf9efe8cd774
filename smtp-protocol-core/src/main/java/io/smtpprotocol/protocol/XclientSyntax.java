package io.smtpprotocol.protocol;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The argument of an XCLIENT command line, as Postfix's XCLIENT_README defines it: {@code
 * name=value} pairs separated by spaces, each value xtext (RFC 3461), each name one of {@link
 * #NAMES}. Every value is checked for its attribute: a host name for {@code NAME}, an IPv4 address
 * or {@code IPV6:} and an IPv6 address for {@code ADDR} and {@code DESTADDR}, a port number for
 * {@code PORT} and {@code DESTPORT}, {@code SMTP} or {@code ESMTP} for {@code PROTO}, and for every
 * attribute but {@code PROTO} also {@code [UNAVAILABLE]} ({@code NAME} also {@code [TEMPUNAVAIL]}),
 * in any case.
 */
final class XclientSyntax {

  private XclientSyntax() {}

  /** The attributes the engine takes, as they are announced after EHLO. */
  static final Set<String> NAMES =
      Set.of("NAME", "ADDR", "PORT", "PROTO", "HELO", "LOGIN", "DESTADDR", "DESTPORT");

  /** The longest value, before decoding (Postfix's limit). */
  private static final int MAX_VALUE = 255;

  /** The command, or {@link Command.Invalid} with a {@code 501 5.5.4} reply saying why not. */
  static Command parse(String argument) {
    String arg = argument.strip();
    if (arg.isEmpty()) {
      return invalid(Replies.XCLIENT_SYNTAX);
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    for (String word : arg.split(" +")) {
      int eq = word.indexOf('=');
      if (eq <= 0 || eq == word.length() - 1) {
        return invalid(Replies.XCLIENT_SYNTAX);
      }
      String name = word.substring(0, eq).toUpperCase(Locale.ROOT);
      if (!NAMES.contains(name)) {
        return invalid(Replies.XCLIENT_BAD_ATTRIBUTE);
      }
      String raw = word.substring(eq + 1);
      @Nullable String value =
          raw.length() > MAX_VALUE ? null : MailParameters.decodeXtext(raw).orElse(null);
      value = value == null ? null : checked(name, value);
      if (value == null) {
        return invalid(Reply.of(501, "5.5.4", "Bad " + name + " syntax"));
      }
      attributes.remove(name); // a repeated name keeps its last value, in its last place
      attributes.put(name, value);
    }
    return new Command.Xclient(attributes);
  }

  private static Command invalid(Reply reply) {
    return new Command.Invalid(Verb.XCLIENT.name(), reply);
  }

  /** The value as the command keeps it, or null when it is not one the attribute takes. */
  private static @Nullable String checked(String name, String value) {
    if (value.equalsIgnoreCase(Command.Xclient.UNAVAILABLE) && !name.equals("PROTO")) {
      return Command.Xclient.UNAVAILABLE;
    }
    boolean valid =
        switch (name) {
          case "NAME" -> value.equalsIgnoreCase(Command.Xclient.TEMPUNAVAIL) || isHostName(value);
          case "ADDR", "DESTADDR" ->
              isIpv4(value)
                  || value.regionMatches(true, 0, "IPV6:", 0, 5)
                      && AddressParser.isIpv6(value.substring(5));
          case "PORT", "DESTPORT" -> isPort(value);
          case "PROTO" -> value.equalsIgnoreCase("SMTP") || value.equalsIgnoreCase("ESMTP");
          case "HELO" -> printable(value, false);
          default -> printable(value, true); // LOGIN
        };
    if (!valid) {
      return null;
    }
    boolean word =
        name.equals("PROTO")
            || name.equals("NAME") && value.equalsIgnoreCase(Command.Xclient.TEMPUNAVAIL);
    return word ? value.toUpperCase(Locale.ROOT) : value;
  }

  /** Letters, digits, {@code -} and {@code _} in dot-separated labels; not an IPv4 address. */
  private static boolean isHostName(String s) {
    if (s.length() > MAX_VALUE || AddressParser.isIpv4(s)) {
      return false;
    }
    for (String label : s.split("\\.", -1)) {
      if (label.isEmpty()
          || label.length() > 63
          || label.charAt(0) == '-'
          || label.charAt(label.length() - 1) == '-') {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '_';
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** Four decimal octets, none with a leading zero (which some would read as octal). */
  private static boolean isIpv4(String s) {
    if (!AddressParser.isIpv4(s)) {
      return false;
    }
    for (String octet : s.split("\\.")) {
      if (octet.length() > 1 && octet.charAt(0) == '0') {
        return false;
      }
    }
    return true;
  }

  /** A TCP port number, 0 to 65535, in at most five digits. */
  private static boolean isPort(String s) {
    if (s.isEmpty() || s.length() > 5) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return Integer.parseInt(s) <= 65535;
  }

  /** No control characters (and no space unless {@code spaces}); decoding errors are refused. */
  private static boolean printable(String s, boolean spaces) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\uFFFD') {
        return false;
      }
      if (c == ' ' && !spaces) {
        return false;
      }
    }
    return true;
  }
}
