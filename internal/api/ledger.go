package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/policy"
)

// Media types of ledger files.
const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvType  = "text/csv"
)

// ledgerRoutes are the Excel ledger (台账) round trip and the saved column
// mappings it imports through.
func ledgerRoutes(a *API) []route {
	batch := Prefix + "/batches/{id}"
	uploads := []string{xlsxType, csvType, "multipart/form-data"}
	upload := []param{
		{"format", "xlsx or csv; by default from the Content-Type, the file name or the content"},
		{"mapping", "the id of a saved column mapping, for a ledger with headers of its own"},
	}
	unit := []param{{"unit", "the id of a unit: only the items it takes part in"}}
	rs := []route{
		{method: "GET", path: batch + "/ledger.xlsx", op: "exportLedgerXLSX", summary: "The batch's ledger (台账) as an Excel workbook", tag: tagWork,
			produces: xlsxType, status: 200, errors: []int{401, 403, 404}, query: unit, handler: a.exportLedger(ledger.XLSX)},
		{method: "GET", path: batch + "/ledger.csv", op: "exportLedgerCSV", summary: "The batch's ledger (台账) as CSV (UTF-8)", tag: tagWork,
			produces: csvType, status: 200, errors: []int{401, 403, 404}, query: unit, handler: a.exportLedger(ledger.CSV)},
		{method: "POST", path: batch + "/ledger/preview", op: "previewLedger", summary: "What importing a ledger would change, row by row; changes nothing", tag: tagWork,
			consumes: uploads, response: ledger.Preview{}, status: 200, errors: []int{400, 401, 403, 404, 413, 422}, query: upload, handler: a.importLedger(false)},
		{method: "POST", path: batch + "/ledger/import", op: "importLedger", summary: "Import a ledger: every changed row, or none when a row is refused", tag: tagWork,
			consumes: uploads, response: ledger.Preview{}, status: 200, errors: []int{400, 401, 403, 404, 409, 413, 422}, query: upload, handler: a.importLedger(true)},
	}
	return append(rs, resource(a, "column-mappings", "ColumnMapping", tagWork, a.store.ColumnMappings())...)
}

func (a *API) exportLedger(format ledger.Format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := a.allow(r, policy.Read, "items"); err != nil {
			a.writeError(w, r, err)
			return
		}
		id, err := pathID(r, "batches")
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		var unit int64
		if v := r.URL.Query().Get("unit"); v != "" {
			if unit, err = strconv.ParseInt(v, 10, 64); err != nil || unit <= 0 {
				a.writeError(w, r, fieldError(badRequest, "unit", "must be a positive id"))
				return
			}
		}
		b, err := a.store.Batches.GetAs(r.Context(), actor(r), id)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		file, err := ledger.Export(r.Context(), a.store, actor(r), id, unit, format)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		ct := xlsxType
		if format == ledger.CSV {
			ct = csvType + "; charset=utf-8"
		}
		name := b.Name + "台账." + string(format)
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ledger-%d.%s"; filename*=UTF-8''%s`, id, format, url.PathEscape(name)))
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		w.Write(file)
	}
}

// importLedger previews or applies an uploaded ledger: the raw file as the
// body, or a multipart form whose "file" part holds it.
func (a *API) importLedger(apply bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		action := policy.Read
		if apply {
			action = policy.Write
		}
		if err := a.allow(r, action, "items"); err != nil {
			a.writeError(w, r, err)
			return
		}
		b, err := loadAs(r, a.store.Batches)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		file, format, err := readUpload(w, r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		opts := ledger.Options{Format: format}
		if v := r.URL.Query().Get("mapping"); v != "" {
			mid, err := strconv.ParseInt(v, 10, 64)
			if err != nil || mid <= 0 {
				a.writeError(w, r, fieldError(badRequest, "mapping", "must be a positive id"))
				return
			}
			m, err := a.store.ColumnMappings().Get(r.Context(), mid)
			if err != nil || m.MechanismID != b.MechanismID || m.ArchivedAt != nil {
				a.writeError(w, r, fieldError(domain.Invalid, "mapping", "is not a column mapping of the batch's mechanism"))
				return
			}
			opts = ledger.OptionsOf(format, m)
		}
		opts.Locale = language(r)
		var p *ledger.Preview
		if apply {
			p, err = ledger.Import(r.Context(), a.store, actor(r), b.ID, file, opts)
		} else {
			p, err = ledger.PreviewImport(r.Context(), a.store, actor(r), b.ID, file, opts)
		}
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Language", opts.Locale)
		w.Header().Add("Vary", "Accept-Language")
		writeJSON(w, http.StatusOK, p)
	}
}

// readUpload reads a ledger file within ledger.MaxFileBytes and decides its
// format: the format parameter, else the media type or file name, else
// the content (an XLSX is a zip archive).
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, ledger.Format, error) {
	body := http.MaxBytesReader(w, r.Body, ledger.MaxFileBytes+64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader = body
	name := ""
	if mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, "", fieldError(badRequest, "body", "is not a readable multipart form")
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				if tooLargeBody(err) {
					return nil, "", uploadTooLarge()
				}
				return nil, "", fieldError(badRequest, "file", "is missing: send the ledger in a form field named file")
			}
			if part.FormName() == "file" {
				src, name, mt = part, part.FileName(), part.Header.Get("Content-Type")
				mt, _, _ = mime.ParseMediaType(mt)
				break
			}
		}
	}
	file, err := io.ReadAll(io.LimitReader(src, ledger.MaxFileBytes+1))
	if tooLargeBody(err) || len(file) > ledger.MaxFileBytes {
		return nil, "", uploadTooLarge()
	}
	if err != nil {
		return nil, "", fieldError(badRequest, "body", "could not be read")
	}
	if len(file) == 0 {
		return nil, "", fieldError(badRequest, "file", "is empty")
	}
	switch f := r.URL.Query().Get("format"); {
	case f == "xlsx" || f == "csv":
		return file, ledger.Format(f), nil
	case f != "":
		return nil, "", fieldError(badRequest, "format", "must be xlsx or csv")
	case mt == xlsxType || strings.HasSuffix(strings.ToLower(name), ".xlsx"):
		return file, ledger.XLSX, nil
	case mt == csvType || strings.HasSuffix(strings.ToLower(name), ".csv"):
		return file, ledger.CSV, nil
	case bytes.HasPrefix(file, []byte("PK\x03\x04")):
		return file, ledger.XLSX, nil
	}
	return file, ledger.CSV, nil
}

func tooLargeBody(err error) bool {
	var tooBig *http.MaxBytesError
	return errors.As(err, &tooBig)
}

func uploadTooLarge() error {
	return domain.Errorf(domain.TooLarge, "the ledger is too large").With(domain.FieldErrorf("file", "exceeds %d bytes (10 MB)", ledger.MaxFileBytes))
}
