package keccak

//go:generate go run genperm.go
