package io.smtpprotocol.protocol;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The reverse path of MAIL FROM: a mailbox, or the null path {@code <>} used for bounces.
 *
 * @param mailbox the sender, or {@code null} for the null path
 */
public record ReversePath(@Nullable Mailbox mailbox) {

  /** The null reverse path {@code <>}. */
  public static final ReversePath NULL = new ReversePath(null);

  public static ReversePath of(Mailbox mailbox) {
    return new ReversePath(mailbox);
  }

  /** Whether this is the null path {@code <>}. */
  public boolean isNull() {
    return mailbox == null;
  }

  /** The sender, empty for the null path. */
  public Optional<Mailbox> sender() {
    return Optional.ofNullable(mailbox);
  }

  /** The address, or the empty string for the null path. */
  public String address() {
    return mailbox == null ? "" : mailbox.address();
  }

  @Override
  public String toString() {
    return "<" + address() + ">";
  }
}
