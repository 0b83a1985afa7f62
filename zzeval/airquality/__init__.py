"""Air quality: AQI (HJ 633), data validity (GB 3095 / HJ 663), season statistics, the weather
adjustment and the across-township difference-in-differences."""
