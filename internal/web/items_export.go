package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/xuri/excelize/v2"
)

// exportTable is the filtered item list as header and rows of text, in the
// visitor's language; CSV and XLSX write the same table.
func (h *Handler) exportTable(r *http.Request) ([]string, [][]string, error) {
	ctx := r.Context()
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "items"); err != nil {
		return nil, nil, err
	}
	rf, err := h.loadRefs(ctx)
	if err != nil {
		return nil, nil, err
	}
	filters, _ := itemFilters(r.URL.Query())
	items, err := listAll(ctx, currentUser(r), h.store.Items, filters)
	if err != nil {
		return nil, nil, err
	}
	header := []string{t.T("item.number"), t.T("item.title"), t.T("item.batch"), t.T("item.track"), t.T("item.status"),
		t.T("item.light"), t.T("item.light_reason"), t.T("item.lead_units"), t.T("item.cooperating_units"), t.T("item.end_on"), t.T("item.updated_at")}
	var rows [][]string
	for _, it := range items {
		var leads, coop []string
		for _, pt := range it.Parties {
			if pt.Role == domain.LeadUnit {
				leads = append(leads, rf.orgName(t, pt.OrganizationID))
			} else {
				coop = append(coop, rf.orgName(t, pt.OrganizationID))
			}
		}
		batch, track := "", it.Track
		if b, ok := rf.batches[it.BatchID]; ok {
			batch = t.Name(b.Name, b.NameEN)
		}
		if m, ok := rf.mechanisms[it.MechanismID]; ok {
			for _, term := range m.Tracks {
				if term.Key == it.Track {
					track = t.Name(term.Name, term.NameEN)
				}
			}
		}
		light := ""
		if it.Light != "" {
			light = t.T("light." + string(it.Light))
		}
		rows = append(rows, []string{it.Number, it.Title, batch, track, t.T("status." + string(it.Status)), light, it.LightReason,
			strings.Join(leads, "; "), strings.Join(coop, "; "), it.EndOn.String(), t.DateTime(it.UpdatedAt)})
	}
	return header, rows, nil
}

// csvSafe defuses cells a spreadsheet would run as a formula (CSV
// injection): a leading = + - @ gets a quote mark in front.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func exportName(ext string, now time.Time) string {
	return fmt.Sprintf("items-%s.%s", now.In(shanghai).Format("20060102-1504"), ext)
}

func (h *Handler) itemExportCSV(w http.ResponseWriter, r *http.Request) {
	header, rows, err := h.exportTable(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportName("csv", h.now())+`"`)
	// A byte-order mark, or Excel on Chinese Windows reads UTF-8 as GBK.
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.Write(header)
	for _, row := range rows {
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		cw.Write(row)
	}
	cw.Flush()
}

func (h *Handler) itemExportXLSX(w http.ResponseWriter, r *http.Request) {
	header, rows, err := h.exportTable(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	write := func(n int, cells []string) error {
		for i, c := range cells {
			ref, err := excelize.CoordinatesToCellName(i+1, n)
			if err != nil {
				return err
			}
			// SetCellStr stores text as text: nothing is read as a formula.
			if err := f.SetCellStr(sheet, ref, c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := write(1, header); err != nil {
		h.fail(w, r, domain.Internalf(err, "write xlsx"))
		return
	}
	for i, row := range rows {
		if err := write(i+2, row); err != nil {
			h.fail(w, r, domain.Internalf(err, "write xlsx"))
			return
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportName("xlsx", h.now())+`"`)
	if err := f.Write(w); err != nil {
		h.log.Error("write xlsx", "err", err)
	}
}
