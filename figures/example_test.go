package figures_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/frontierwatch/frontierwatch/figures"
)

func ExampleExtractor_Extract() {
	e := figures.New()
	text := "By March 2026, Claude 4.6 Opus could manage complex tasks lasting up to 12 hours. " +
		"In the second quarter of 2026, Anthropic engineers averaged eight times more code merges per day than in 2024."
	for _, f := range e.Extract(text, time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC)) {
		b, _ := json.Marshal(struct {
			Metric, Qualifier, Subject, AsOf, Surface string
			Value                                     *float64
		}{f.Metric, string(f.Qualifier), f.Subject, f.AsOf, f.Surface, f.Value})
		fmt.Println(string(b))
	}
	// Output:
	// {"Metric":"task_horizon","Qualifier":"up_to","Subject":"Claude 4.6 Opus","AsOf":"2026-03","Surface":"up to 12 hours","Value":12}
	// {"Metric":"productivity_multiplier","Qualifier":"exact","Subject":"Anthropic engineers","AsOf":"2026-Q2","Surface":"eight times more","Value":8}
}

func ExampleSentences() {
	for _, s := range figures.Sentences("Dr. Chen met the U.S. team. GPT-5.1 ran 4.5 hours.\n- list item") {
		fmt.Println(s)
	}
	// Output:
	// Dr. Chen met the U.S. team.
	// GPT-5.1 ran 4.5 hours.
	// list item
}
