package io.smtpprotocol.protocol;

/**
 * An RFC 3463 enhanced mail system status code such as {@code 2.1.0}.
 *
 * @param statusClass 2 (success), 4 (persistent transient failure) or 5 (permanent failure)
 * @param subject the subject, 0 to 999
 * @param detail the detail, 0 to 999
 */
public record EnhancedStatus(int statusClass, int subject, int detail) {

  public EnhancedStatus {
    if (statusClass != 2 && statusClass != 4 && statusClass != 5) {
      throw new IllegalArgumentException("statusClass must be 2, 4 or 5: " + statusClass);
    }
    if (subject < 0 || subject > 999) {
      throw new IllegalArgumentException("subject must be 0..999: " + subject);
    }
    if (detail < 0 || detail > 999) {
      throw new IllegalArgumentException("detail must be 0..999: " + detail);
    }
  }

  /** Parses {@code "class.subject.detail"}, for example {@code "5.1.1"}. */
  public static EnhancedStatus parse(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("enhanced status must be class.subject.detail: " + text);
    }
    for (String part : parts) {
      if (!isDigits(part)) {
        throw new IllegalArgumentException("enhanced status parts must be 1 to 3 digits: " + text);
      }
    }
    return new EnhancedStatus(
        Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
  }

  /**
   * 1 to 3 ASCII digits: {@code Integer.parseInt} alone would take signs and other scripts' digits.
   */
  private static boolean isDigits(String part) {
    if (part.isEmpty() || part.length() > 3) {
      return false;
    }
    for (int i = 0; i < part.length(); i++) {
      if (part.charAt(i) < '0' || part.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return statusClass + "." + subject + "." + detail;
  }
}
