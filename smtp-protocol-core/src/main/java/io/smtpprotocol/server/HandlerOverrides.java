package io.smtpprotocol.server;

import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.handler.SmtpHandler.Event;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which events go to the application's {@link SmtpHandler}: those in its {@link
 * SmtpHandler#handledEvents()}. Every other event is answered on the event loop by {@link
 * #DEFAULTS}, without a trip to the handler executor and without calling the application.
 */
record HandlerOverrides(
    boolean connect,
    boolean greeting,
    boolean tls,
    boolean auth,
    boolean mailFrom,
    boolean rcptTo,
    boolean data,
    boolean message,
    boolean verify,
    boolean command,
    boolean reset,
    boolean quit,
    boolean disconnect) {

  /** The interface's defaults: what the server answers for events the handler does not handle. */
  static final SmtpHandler DEFAULTS = new SmtpHandler() {};

  static HandlerOverrides of(SmtpHandler handler) {
    Set<Event> declared = handler.handledEvents();
    if (declared == null) {
      throw new IllegalArgumentException(
          "handledEvents() of " + handler.getClass().getName() + " returned null");
    }
    Set<Event> events = EnumSet.noneOf(Event.class);
    for (Event event : declared) {
      if (event == null) {
        throw new IllegalArgumentException(
            "handledEvents() of " + handler.getClass().getName() + " contains null");
      }
      events.add(event);
    }
    return new HandlerOverrides(
        events.contains(Event.CONNECT),
        events.contains(Event.GREETING),
        events.contains(Event.TLS),
        events.contains(Event.AUTH),
        events.contains(Event.MAIL_FROM),
        events.contains(Event.RCPT_TO),
        events.contains(Event.DATA),
        events.contains(Event.MESSAGE),
        events.contains(Event.VERIFY),
        events.contains(Event.COMMAND),
        events.contains(Event.RESET),
        events.contains(Event.QUIT),
        events.contains(Event.DISCONNECT));
  }
}
