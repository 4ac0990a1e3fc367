package enr

import (
	"encoding/json"
	"os"
	"testing"
)

type vector struct {
	Name     string         `json:"name"`
	Inputs   map[string]any `json:"inputs"`
	Expected map[string]any `json:"expected"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/enr.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	return file.Vectors
}
