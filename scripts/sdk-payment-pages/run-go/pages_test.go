// Builds each case's Payment Page URL with the Go SDK's own PaymentPage.GetUrl. Copied into a
// module beside the SDK's payment-page.go, payment.go, signature-handler.go and helper.go
// (package paymentpage); see ../README.md. CASES names the cases file; prints the results.
package paymentpage

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

type job struct {
	Secret    string `json:"secret"`
	ProjectID int    `json:"projectId"`
	Base      string `json:"base"`
	Cases     []struct {
		Params map[string]json.RawMessage `json:"params"`
	} `json:"cases"`
}

func TestPages(t *testing.T) {
	raw, err := os.ReadFile(os.Getenv("CASES"))
	if err != nil {
		t.Fatal(err)
	}
	var input job
	if err := json.Unmarshal(raw, &input); err != nil {
		t.Fatal(err)
	}
	results := []map[string]string{}
	for _, c := range input.Cases {
		var id string
		if err := json.Unmarshal(c.Params["payment_id"], &id); err != nil {
			t.Fatal(err)
		}
		payment := NewPayment(input.ProjectID, id+"-go")
		for name, value := range c.Params {
			if name == "payment_id" {
				continue
			}
			// Each value as its Go type: bool, int or string (what a Go shop would pass).
			var boolean bool
			var integer int
			var text string
			switch {
			case json.Unmarshal(value, &boolean) == nil:
				payment.SetParam(name, boolean)
			case json.Unmarshal(value, &integer) == nil:
				payment.SetParam(name, integer)
			case json.Unmarshal(value, &text) == nil:
				payment.SetParam(name, text)
			default:
				t.Fatalf("%s: not a bool, int or string", name)
			}
		}
		page := NewPaymentPage(*NewSignatureHandler(input.Secret))
		page.SetBaseUrl(input.Base)
		results = append(results, map[string]string{"url": page.GetUrl(*payment)})
	}
	out, _ := json.Marshal(results)
	fmt.Println("RESULTS " + string(out))
}
