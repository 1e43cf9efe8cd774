package io.smtpprotocol.demo.maildir;

import java.util.regex.Pattern;

/**
 * Message ids are Maildir unique names ({@code time.unique.host}). Only names of that shape are
 * ever turned into paths: no separator, no leading dot, so an id can never leave its directory.
 */
public final class MessageIds {

  private static final Pattern ID =
      Pattern.compile("[0-9]{1,19}\\.[A-Za-z0-9_]{1,64}\\.[A-Za-z0-9.-]{1,253}");

  private MessageIds() {}

  /** Whether {@code id} has the shape of a message id. */
  public static boolean isValid(String id) {
    return id.length() <= 320 && ID.matcher(id).matches();
  }

  /** The unique name in a Maildir file name: the part before the {@code :2,} info. */
  static String uniqueName(String fileName) {
    int colon = fileName.indexOf(':');
    return colon < 0 ? fileName : fileName.substring(0, colon);
  }
}
