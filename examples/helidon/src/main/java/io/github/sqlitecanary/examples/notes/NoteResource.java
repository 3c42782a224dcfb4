package io.github.sqlitecanary.examples.notes;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.sql.SQLException;
import java.util.List;

/** {@code GET /api/notes} lists the notes, {@code POST /api/notes} with {@code {"text":"..."}} adds one. */
@RequestScoped
@Path("/notes")
@Produces(MediaType.APPLICATION_JSON)
public class NoteResource {

    @Inject
    NoteStore store;

    @GET
    public List<Note> list() throws SQLException {
        return store.list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(JsonObject body, @Context UriInfo uri) throws SQLException {
        String text = body == null ? "" : body.getString("text", "").strip();
        if (text.isEmpty()) {
            JsonObject error = Json.createObjectBuilder().add("error", "a note needs a non-empty \"text\"").build();
            return Response.status(Response.Status.BAD_REQUEST).entity(error).build();
        }
        Note note = store.add(text);
        return Response.created(uri.getAbsolutePathBuilder().path(Long.toString(note.id())).build())
                .entity(note).build();
    }
}
