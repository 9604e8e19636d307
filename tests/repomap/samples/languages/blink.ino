// Blink an LED.
#define LED_PIN 13

/** A blinking light. */
class Blinker {
 public:
  /** Toggle the light. */
  void toggle() { state = !state; digitalWrite(LED_PIN, state); }
 private:
  bool state;
};

// Set up the board.
void setup() {
  pinMode(LED_PIN, OUTPUT);
}

// Run forever.
void loop() {
  blink(500);
}
