package io.smtpprotocol.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * A mailbox {@code local-part@domain} as written in an SMTP path (RFC 5321 section 4.1.2).
 *
 * <p>The local part keeps its written form: a quoted local part stays quoted. The domain is a
 * domain name or an address literal in brackets. The only mailbox without a domain is {@code
 * <Postmaster>} in RCPT TO.
 *
 * @param localPart the local part as written (a dot-string or a quoted string)
 * @param domain the domain or address literal, empty only for the bare {@code Postmaster}
 */
public record Mailbox(String localPart, String domain) {

  public Mailbox {
    if (localPart.isEmpty()) {
      throw new IllegalArgumentException("localPart must not be empty");
    }
    if (domain.isEmpty() && !localPart.equalsIgnoreCase("postmaster")) {
      throw new IllegalArgumentException("domain must not be empty: " + localPart);
    }
    checkNoLineBreak(localPart, "localPart");
    checkNoLineBreak(domain, "domain");
  }

  /**
   * Parses an address such as {@code user@example.com} (without angle brackets), accepting
   * non-ASCII characters as RFC 6531 allows.
   *
   * @throws IllegalArgumentException when it is not a valid mailbox
   */
  public static Mailbox parse(String address) {
    return AddressParser.parseMailbox(address, true)
        .orElseThrow(() -> new IllegalArgumentException("not a valid mailbox: " + address));
  }

  /** Parses like {@link #parse(String)}, returning empty when the text is not a mailbox. */
  public static Optional<Mailbox> tryParse(String address) {
    return AddressParser.parseMailbox(address, true);
  }

  /** The address {@code local@domain}, or the bare local part when there is no domain. */
  public String address() {
    return domain.isEmpty() ? localPart : localPart + "@" + domain;
  }

  /** Whether the address is plain ASCII (otherwise it needs SMTPUTF8). */
  public boolean isAscii() {
    return isAscii(localPart) && isAscii(domain);
  }

  /**
   * Whether this is the bare {@code <Postmaster>} (no domain, any case), which RFC 5321 section
   * 4.5.1 requires every server to accept.
   */
  public boolean isPostmaster() {
    return domain.isEmpty() && localPart.equalsIgnoreCase("postmaster");
  }

  /** The domain in lower case, for comparisons. */
  public String domainLowerCase() {
    return domain.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return address();
  }

  static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static void checkNoLineBreak(String value, String name) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(name + " must not contain control characters");
      }
    }
  }
}
