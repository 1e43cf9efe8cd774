package io.smtpprotocol.auth;

import io.smtpprotocol.handler.SessionInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A server's AUTH settings.
 *
 * @param authenticator checks credentials, or {@code null} when AUTH is off
 * @param mechanisms the SASL mechanisms offered, in the order advertised; given empty, it holds
 *     those the authenticator supports, found once when the settings are made (see {@link
 *     #offeredMechanisms()})
 * @param required whether MAIL is refused until the client authenticates ({@code 530 5.7.0})
 * @param allowInsecure whether AUTH is offered on a connection without TLS
 * @param maxFailures failed attempts after which the session gets {@code 421} and is closed
 * @param failureDelay the delay before the reply to the first failed attempt; it doubles with each
 *     further failure
 * @param maxAddressFailures failed attempts from one client address (an IPv6 /64), over all its
 *     connections, after which AUTH from there is refused with {@code 454 4.7.0} until {@code
 *     addressFailureWindow} has passed since the first of them
 * @param addressFailureWindow how long failures from one address count
 * @param ownMechanisms the application's own mechanisms (see {@link SaslMechanism}); their names
 *     may appear in {@code mechanisms}, and when that is given empty they are offered after the
 *     built-in ones
 */
public record AuthSettings(
    @Nullable Authenticator authenticator,
    List<String> mechanisms,
    boolean required,
    boolean allowInsecure,
    int maxFailures,
    Duration failureDelay,
    int maxAddressFailures,
    Duration addressFailureWindow,
    List<SaslMechanism> ownMechanisms) {

  /** AUTH off. */
  public static final AuthSettings NONE =
      new AuthSettings(
          null,
          List.of(),
          false,
          false,
          3,
          Duration.ofSeconds(1),
          10,
          Duration.ofMinutes(10),
          List.of());

  /** Settings with the default budget of failures per client address. */
  public AuthSettings(
      @Nullable Authenticator authenticator,
      List<String> mechanisms,
      boolean required,
      boolean allowInsecure,
      int maxFailures,
      Duration failureDelay) {
    this(
        authenticator,
        mechanisms,
        required,
        allowInsecure,
        maxFailures,
        failureDelay,
        NONE.maxAddressFailures(),
        NONE.addressFailureWindow(),
        List.of());
  }

  public AuthSettings {
    ownMechanisms = List.copyOf(ownMechanisms);
    List<String> known = new ArrayList<>(SaslMechanism.STANDARD);
    for (SaslMechanism own : ownMechanisms) {
      String name = own.name();
      if (!SaslMechanism.isValidName(name)) {
        throw new IllegalArgumentException(
            "not a SASL mechanism name (RFC 4422: 1 to 20 of A-Z, 0-9, - and _): " + name);
      }
      if (known.contains(name)) {
        throw new IllegalArgumentException(
            "SASL mechanism "
                + name
                + " is already "
                + (SaslMechanism.STANDARD.contains(name) ? "built in" : "given"));
      }
      known.add(name);
    }
    List<String> names = new ArrayList<>();
    for (String m : mechanisms) {
      String name = m.toUpperCase(Locale.ROOT);
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown SASL mechanism " + m + "; supported: " + known);
      }
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    // resolved once here: the server asks on every AUTH and every EHLO
    if (names.isEmpty() && authenticator != null) {
      names.addAll(supported(authenticator));
      ownMechanisms.forEach(own -> names.add(own.name()));
    }
    mechanisms = List.copyOf(names);
    if (required && authenticator == null) {
      throw new IllegalArgumentException("AUTH cannot be required without an authenticator");
    }
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures must be positive: " + maxFailures);
    }
    if (failureDelay.isNegative()) {
      throw new IllegalArgumentException("failureDelay must not be negative: " + failureDelay);
    }
    if (maxAddressFailures < 1) {
      throw new IllegalArgumentException(
          "maxAddressFailures must be positive: " + maxAddressFailures);
    }
    if (addressFailureWindow.isNegative() || addressFailureWindow.isZero()) {
      throw new IllegalArgumentException(
          "addressFailureWindow must be positive: " + addressFailureWindow);
    }
  }

  /** Whether the server offers AUTH. */
  public boolean enabled() {
    return authenticator != null && !offeredMechanisms().isEmpty();
  }

  /**
   * The mechanisms the server offers: {@link #mechanisms()} when given, else by what the
   * authenticator overrides: SCRAM-SHA-256 for {@code scramCredential}, PLAIN and LOGIN for {@code
   * password} or {@code scramCredential}, CRAM-MD5 for {@code clearTextPassword}, XOAUTH2 for
   * {@code token}.
   */
  public List<String> offeredMechanisms() {
    return authenticator == null ? List.of() : mechanisms;
  }

  /**
   * A new instance of the offered mechanism of this name (upper case): the application's own
   * instance, or a new built-in one.
   */
  public Optional<SaslMechanism> mechanism(String name) {
    if (!offeredMechanisms().contains(name)) {
      return Optional.empty();
    }
    for (SaslMechanism own : ownMechanisms) {
      if (own.name().equals(name)) {
        return Optional.of(own);
      }
    }
    return SaslMechanism.of(name);
  }

  private static List<String> supported(Authenticator a) {
    Class<?> type = a.getClass();
    boolean scram = overrides(type, "scramCredential", SessionInfo.class, String.class);
    boolean password =
        overrides(type, "password", SessionInfo.class, String.class, String.class, String.class);
    List<String> names = new ArrayList<>();
    if (scram) {
      names.add("SCRAM-SHA-256");
    }
    if (scram || password) {
      names.add("PLAIN");
      names.add("LOGIN");
    }
    if (overrides(type, "clearTextPassword", SessionInfo.class, String.class)) {
      names.add("CRAM-MD5");
    }
    if (overrides(type, "token", SessionInfo.class, String.class, String.class)) {
      names.add("XOAUTH2");
    }
    return List.copyOf(names);
  }

  private static boolean overrides(Class<?> type, String name, Class<?>... parameters) {
    try {
      return type.getMethod(name, parameters).getDeclaringClass() != Authenticator.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
