package io.smtpprotocol.protocol;

import java.util.Optional;

/** RFC 5321 section 4.1.2 path and mailbox syntax, with the RFC 6531 UTF-8 extension. */
final class AddressParser {

  private AddressParser() {}

  private static final int MAX_DOMAIN = 255;

  /** Result of parsing a path: the mailbox (null for {@code <>}) and the index after the '>'. */
  record PathResult(@org.jspecify.annotations.Nullable Mailbox mailbox, int end) {}

  /**
   * Parses {@code <[A-d-l:]mailbox>} or {@code <>} starting at {@code start}. Returns null when the
   * text there is not a valid path.
   */
  static @org.jspecify.annotations.Nullable PathResult parsePath(
      String s, int start, boolean allowNull, boolean allowPostmaster) {
    int i = start;
    if (i >= s.length() || s.charAt(i) != '<') {
      return null;
    }
    i++;
    if (i < s.length() && s.charAt(i) == '>') {
      return allowNull ? new PathResult(null, i + 1) : null;
    }
    // source route: @domain[,@domain]*: -- accepted and ignored
    if (i < s.length() && s.charAt(i) == '@') {
      while (true) {
        if (i >= s.length() || s.charAt(i) != '@') {
          return null;
        }
        int end = domainEnd(s, i + 1, true);
        if (end < 0) {
          return null;
        }
        i = end;
        if (i < s.length() && s.charAt(i) == ',') {
          i++;
          continue;
        }
        if (i < s.length() && s.charAt(i) == ':') {
          i++;
          break;
        }
        return null;
      }
    }
    int close = mailboxEnd(s, i);
    if (close < 0 || close >= s.length() || s.charAt(close) != '>') {
      if (allowPostmaster) {
        int gt = s.indexOf('>', i);
        if (gt > i && s.substring(i, gt).equalsIgnoreCase("postmaster")) {
          return new PathResult(new Mailbox(s.substring(i, gt), ""), gt + 1);
        }
      }
      return null;
    }
    Optional<Mailbox> mailbox = parseMailbox(s.substring(i, close), true);
    return mailbox.map(m -> new PathResult(m, close + 1)).orElse(null);
  }

  /** Index just after a syntactically valid mailbox starting at {@code i}, or -1. */
  private static int mailboxEnd(String s, int i) {
    int at = localPartEnd(s, i);
    if (at < 0 || at >= s.length() || s.charAt(at) != '@') {
      return -1;
    }
    return domainOrLiteralEnd(s, at + 1);
  }

  static Optional<Mailbox> parseMailbox(String s, boolean allowUtf8) {
    int at = localPartEnd(s, 0);
    if (at <= 0 || at >= s.length() || s.charAt(at) != '@') {
      return Optional.empty();
    }
    int end = domainOrLiteralEnd(s, at + 1);
    if (end != s.length()) {
      return Optional.empty();
    }
    String local = s.substring(0, at);
    String domain = s.substring(at + 1);
    if (!allowUtf8 && !(Mailbox.isAscii(local) && Mailbox.isAscii(domain))) {
      return Optional.empty();
    }
    return Optional.of(new Mailbox(local, domain));
  }

  private static int localPartEnd(String s, int i) {
    if (i >= s.length()) {
      return -1;
    }
    if (s.charAt(i) == '"') {
      i++;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '"') {
          return i + 1;
        }
        if (c == '\\') {
          if (i + 1 >= s.length()) {
            return -1;
          }
          char q = s.charAt(i + 1);
          if (q < 32 || q == 127) {
            return -1;
          }
          i += 2;
          continue;
        }
        if (c < 32 || c == 127) {
          return -1;
        }
        i++;
      }
      return -1;
    }
    // dot-string: atom *("." atom)
    boolean expectAtom = true;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (isAtext(c)) {
        expectAtom = false;
        i++;
      } else if (c == '.' && !expectAtom) {
        expectAtom = true;
        i++;
      } else {
        break;
      }
    }
    return expectAtom ? -1 : i;
  }

  private static boolean isAtext(char c) {
    if (c >= 0x80) {
      return true; // UTF8-non-ascii (RFC 6531); the caller checks SMTPUTF8
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return true;
    }
    return "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
  }

  private static int domainOrLiteralEnd(String s, int i) {
    if (i < s.length() && s.charAt(i) == '[') {
      int close = s.indexOf(']', i);
      if (close < 0) {
        return -1;
      }
      return isAddressLiteral(s.substring(i + 1, close)) ? close + 1 : -1;
    }
    return domainEnd(s, i, false);
  }

  /** Index after a domain name (sub-domain *("." sub-domain)) starting at i, or -1. */
  private static int domainEnd(String s, int i, boolean allowLiteral) {
    if (allowLiteral && i < s.length() && s.charAt(i) == '[') {
      return domainOrLiteralEnd(s, i);
    }
    int start = i;
    while (true) {
      // sub-domain = Let-dig [Ldh-str]
      if (i >= s.length() || !isLetDig(s.charAt(i))) {
        return -1;
      }
      int last = i;
      i++;
      while (i < s.length() && (isLetDig(s.charAt(i)) || s.charAt(i) == '-')) {
        if (s.charAt(i) != '-') {
          last = i;
        }
        i++;
      }
      if (last != i - 1) {
        return -1; // ends with '-'
      }
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        continue;
      }
      return i - start > MAX_DOMAIN ? -1 : i;
    }
  }

  private static boolean isLetDig(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
  }

  private static boolean isAddressLiteral(String body) {
    if (body.isEmpty()) {
      return false;
    }
    if (body.regionMatches(true, 0, "IPv6:", 0, 5)) {
      return isIpv6(body.substring(5));
    }
    if (Character.isDigit(body.charAt(0))) {
      return isIpv4(body);
    }
    // General-address-literal = Standardized-tag ":" 1*dcontent
    int colon = body.indexOf(':');
    if (colon <= 0 || colon == body.length() - 1 || body.charAt(colon - 1) == '-') {
      return false;
    }
    for (int i = 0; i < colon; i++) {
      char c = body.charAt(i);
      if (!(isLetDig(c) && c < 0x80) && c != '-') {
        return false;
      }
    }
    for (int i = colon + 1; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']') {
        return false;
      }
    }
    return true;
  }

  /** IPv4-address-literal: four decimal octets. */
  static boolean isIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3) {
        return false;
      }
      for (int i = 0; i < p.length(); i++) {
        if (p.charAt(i) < '0' || p.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /**
   * IPv6-addr of RFC 5321 section 4.1.3: eight groups, or fewer around one "::" (which stands for
   * at least two groups), the last two groups possibly written as an IPv4 address.
   */
  static boolean isIpv6(String s) {
    int groups = 8;
    String hex = s;
    int lastColon = s.lastIndexOf(':');
    if (lastColon >= 0 && s.indexOf('.', lastColon) >= 0) {
      if (!isIpv4(s.substring(lastColon + 1))) {
        return false;
      }
      groups = 6;
      hex = s.substring(0, lastColon);
      if (hex.endsWith(":")) {
        hex = hex + ":"; // the colon before the IPv4 part ended a "::"
      }
    }
    int gap = hex.indexOf("::");
    if (gap >= 0 && hex.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    if (gap < 0) {
      return countHexGroups(hex) == groups;
    }
    int before = hex.substring(0, gap).isEmpty() ? 0 : countHexGroups(hex.substring(0, gap));
    int after = hex.substring(gap + 2).isEmpty() ? 0 : countHexGroups(hex.substring(gap + 2));
    return before >= 0 && after >= 0 && before + after <= groups - 2;
  }

  /** The number of ':'-separated groups of 1 to 4 hex digits, or -1 when malformed. */
  private static int countHexGroups(String s) {
    String[] parts = s.split(":", -1);
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 4) {
        return -1;
      }
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        boolean hexDigit =
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hexDigit) {
          return -1;
        }
      }
    }
    return parts.length;
  }
}
