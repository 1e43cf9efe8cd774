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
record HandlerOverrides(Set<Event> events) {

  /** The interface's defaults: what the server answers for events the handler does not handle. */
  static final SmtpHandler DEFAULTS = new SmtpHandler() {};

  HandlerOverrides {
    // an EnumSet: the command hook asks for every command line
    events = events.isEmpty() ? EnumSet.noneOf(Event.class) : EnumSet.copyOf(events);
  }

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
    return new HandlerOverrides(events);
  }

  /** Whether the application's handler is called for this event. */
  boolean handles(Event event) {
    return events.contains(event);
  }
}
